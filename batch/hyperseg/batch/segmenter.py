"""Where a frame gets segmented, for ``hyperseg segment`` and ``hyperseg batch`` alike: in-process
over the Predictor, or through a daemon. :func:`segmenter_for` is the one place that chooses.

Both take a :class:`PlateFrame` (a plate file, read at most once, on demand) and the frame's
clicks (display-window coordinates), segment the plate's data window (its pixels, overscan
included) and return a :class:`Segmentation` over that window, which :func:`write_segmentation`
writes as the alpha EXR. Neither command knows which one it holds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from hyperseg.imageio import Image, Window, decode_exr_bytes, network_rgb, read_image, rewindow, write_alpha_exr
from hyperseg.plugin.frame_upload import FramePlane
from hyperseg.protocol.alpha_exr import alpha_metadata
from hyperseg.protocol.clicks import clicks_on_plane
from hyperseg.protocol.clicktracks import Point
from hyperseg.protocol.errors import InputError
from hyperseg.protocol.limits import MAX_FRAME_PIXELS
from hyperseg.protocol.token_file import read_token_file

#: How long a farm frame waits for a daemon that is not listening: long enough for a restart.
DAEMON_RESTART_SECONDS = 15.0

if TYPE_CHECKING:
    from hyperseg.model import Predictor
    from hyperseg.plugin import Client
    from hyperseg.plugin.client import Frame


@dataclass
class PlateFrame:
    """One plate frame by number (None: a lone frame) and path, its pixels in ``colorspace`` (None:
    the file's own); ``image`` reads the file the first time it is asked for."""

    frame: int | None
    path: Path
    colorspace: str | None = None
    _image: Image | None = field(default=None, repr=False)
    _rgb: np.ndarray | None = field(default=None, repr=False)

    @property
    def image(self) -> Image:
        if self._image is None:
            self._image = read_image(self.path, max_pixels=MAX_FRAME_PIXELS)
        return self._image

    @property
    def rgb(self) -> np.ndarray:
        """(H, W, 3) float32 over the data window, as the model sees the frame: in the network's colour space."""
        if self._rgb is None:
            self._rgb = network_rgb(self.image, self.colorspace)
        return self._rgb

    def rgb_on(self, window: Window) -> np.ndarray:
        """The pixels re-cut to ``window`` (another frame's data window; 0 where this one has none)."""
        return rewindow(self.rgb, self.data_window, window)

    @property
    def display_window(self) -> Window:
        return self.image.display_window

    @property
    def data_window(self) -> Window:
        return self.image.data_window

    @property
    def pixel_aspect(self) -> float:
        return self.image.pixel_aspect


@dataclass(frozen=True)
class Segmentation:
    """One frame's result over its data window: alpha (H, W), all hypotheses (M, H, W) when asked
    for, and provenance."""

    alpha: np.ndarray
    hypotheses: np.ndarray | None
    scores: np.ndarray
    checkpoint_id: str
    display_window: Window
    data_window: Window
    pixel_aspect: float
    backbone: str = ""
    proxy: float | None = None  # the scale the network ran at, when known here


class Segmenter(Protocol):
    reads_plates: bool  # True when segment() needs the frames' pixels here, False when it sends paths

    def segment(
        self, plate: PlateFrame, previous: PlateFrame | None, positive: list[Point], negative: list[Point]
    ) -> Segmentation: ...

    def describe(self) -> dict[str, str]:
        """The model that segments: checkpoint, backbone, ... and ``warning`` when it has one."""
        ...

    def close(self) -> None: ...


def write_segmentation(
    out: str | os.PathLike[str], result: Segmentation, positive: list[Point], negative: list[Point], *,
    frame: int | None = None, source: str | None = None,
) -> None:
    """The alpha EXR of ``result``, atomically: its windows and pixel aspect, the clicks and provenance."""
    data = result.data_window
    if result.alpha.shape != data.shape:
        raise InputError(
            f"segmentation is {result.alpha.shape[1]}x{result.alpha.shape[0]} but the frame's data "
            f"window is {data.width}x{data.height}"
        )
    metadata = alpha_metadata(positive=positive, negative=negative, checkpoint=result.checkpoint_id, frame=frame,
                              backbone=result.backbone or None, source=source, proxy=result.proxy)
    write_alpha_exr(out, result.alpha, hypotheses=result.hypotheses, display_window=result.display_window,
                    data_window=data, pixel_aspect=result.pixel_aspect, metadata=metadata)


class LocalSegmenter:
    """Segments in this process with a :class:`hyperseg.model.Predictor` (needs torch)."""

    def __init__(self, predictor: Predictor, *, proxy: float | None = None, hypotheses: str = "best") -> None:
        self.predictor = predictor
        self.proxy = proxy
        self.all_hypotheses = hypotheses == "all"
        self.reads_plates = True

    @classmethod
    def from_checkpoint(
        cls, checkpoint: str | os.PathLike[str] | None, *, device: str = "auto", proxy: float | None = None,
        hypotheses: str = "best",
    ) -> LocalSegmenter:
        """Load ``checkpoint`` (None: the bundled default) onto ``device``."""
        from hyperseg.model import Predictor

        return cls(Predictor.load(checkpoint, device=device), proxy=proxy, hypotheses=hypotheses)

    def segment(
        self, plate: PlateFrame, previous: PlateFrame | None, positive: list[Point], negative: list[Point]
    ) -> Segmentation:
        data = plate.data_window
        if previous is not None and previous.display_window != plate.display_window:
            raise InputError(
                f"previous frame {previous.path} has display window {previous.display_window}, "
                f"the frame {plate.display_window}"
            )
        encoding = self.predictor.encode_frame(
            plate.rgb, previous=None if previous is None else previous.rgb_on(data), proxy=self.proxy
        )
        result = self.predictor.predict_encoded(
            encoding,
            positive=clicks_on_plane(positive, "positive", plate.display_window, data),
            negative=clicks_on_plane(negative, "negative", plate.display_window, data),
            refine=None if self.all_hypotheses else (0,),
        )
        return Segmentation(
            alpha=result.masks[0],
            hypotheses=result.masks if self.all_hypotheses else None,
            scores=np.asarray(result.scores, dtype=np.float32),
            checkpoint_id=self.predictor.checkpoint_id,
            display_window=plate.display_window,
            data_window=plate.data_window,
            pixel_aspect=plate.pixel_aspect,
            backbone=self.predictor.backbone,
            proxy=encoding.proxy,
        )

    def describe(self) -> dict[str, str]:
        return self.predictor.describe()

    def close(self) -> None:
        """Nothing to release: the predictor lives as long as its owner keeps it."""


class RemoteSegmenter:
    """Segments through a daemon with the plugin's :class:`hyperseg.plugin.Client`.

    ``send="pixels"`` uploads frames with their windows (deduplicated by content hash, so the
    previous frame is never sent twice); ``send="paths"`` sends only file paths, for a daemon that
    reads the same storage (a farm). Either way the windows come back with the result.
    """

    def __init__(
        self, client: Client, *, proxy: float | None = None, hypotheses: str = "best", send: str = "pixels"
    ) -> None:
        if send not in ("pixels", "paths"):
            raise InputError(f"send must be 'pixels' or 'paths', got {send!r}")
        self.client = client
        self.proxy = proxy
        self.hypotheses = hypotheses
        self.send = send
        self.reads_plates = send == "pixels"

    @classmethod
    def connect(
        cls, server: str, *, token: str | None = None, tls_ca: str | os.PathLike[str] | None = None,
        proxy: float | None = None, hypotheses: str = "best", send: str = "pixels", timeout: float = 120.0,
        connect_timeout: float = DAEMON_RESTART_SECONDS,
    ) -> RemoteSegmenter:
        """A client for ``server`` (host:port) that waits up to ``connect_timeout`` seconds for a daemon
        that is not listening (a restart) before a frame fails."""
        from hyperseg.plugin import Client

        client = Client(server, token=token, tls_ca=tls_ca, timeout=timeout, connect_timeout=connect_timeout)
        return cls(client, proxy=proxy, hypotheses=hypotheses, send=send)

    def segment(
        self, plate: PlateFrame, previous: PlateFrame | None, positive: list[Point], negative: list[Point]
    ) -> Segmentation:
        if self.send == "paths":
            frame: Frame = str(plate.path)
            before: Frame | None = None if previous is None else str(previous.path)
        else:
            frame = FramePlane.from_array(plate.rgb, plate.display_window, plate.data_window)
            before = None if previous is None else FramePlane.from_array(
                previous.rgb, previous.display_window, previous.data_window
            )
        result = self.client.segment(
            frame, positive, negative, previous=before, proxy=self.proxy,
            hypotheses=self.hypotheses, frame_number=plate.frame,
            colorspace=plate.colorspace if self.send == "paths" else None,
        )
        # A daemon reading paths sends the plate's pixel aspect in its EXR; here it is read only then.
        pixel_aspect = decode_exr_bytes(result.exr_bytes).pixel_aspect if self.send == "paths" else plate.pixel_aspect
        return Segmentation(
            alpha=np.asarray(result.alpha, dtype=np.float32),
            hypotheses=None if result.hypotheses is None else np.asarray(result.hypotheses, dtype=np.float32),
            scores=np.asarray(result.scores, dtype=np.float32),
            checkpoint_id=result.checkpoint_id,
            display_window=result.display_window,
            data_window=result.data_window,
            pixel_aspect=pixel_aspect,
            backbone=result.backbone,
        )

    def describe(self) -> dict[str, str]:
        return {"server": self.client.address, **self.client.info()["model"]}

    def close(self) -> None:
        self.client.close()


@dataclass(frozen=True)
class SegmenterSettings:
    """What picks and configures a segmenter: a daemon address, or a checkpoint for in-process work."""

    server: str | None = None
    checkpoint: str | None = None
    device: str = "auto"
    proxy: float | None = None
    hypotheses: str = "best"
    token_file: str | None = None
    tls_ca: str | None = None
    send: str = "pixels"


def segmenter_for(settings: SegmenterSettings) -> Segmenter:
    """Through the daemon at ``settings.server`` when set, else in-process."""
    if settings.server is None:
        return LocalSegmenter.from_checkpoint(
            settings.checkpoint, device=settings.device, proxy=settings.proxy, hypotheses=settings.hypotheses
        )
    token = None if settings.token_file is None else read_token_file(settings.token_file)
    return RemoteSegmenter.connect(
        settings.server, token=token, tls_ca=settings.tls_ca, proxy=settings.proxy, hypotheses=settings.hypotheses,
        send=settings.send,
    )
