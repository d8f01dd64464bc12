"""What a HyperSeg node does, without Nuke: segment a frame or a range into the node's alpha cache.

The Nuke layer (``plugin/hyperseg/plugin/nuke/node.py``) reads its knobs on the main thread into a
:class:`NodeSettings` (plain data: clicks as full-size wire coordinates, where the plate is, where
alphas go) and hands it to a :class:`NodeSession`, whose calls block and so run on a worker thread.
Nothing here touches Nuke, so the same code drives the node in the GUI, under ``nuke -t`` and in tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hyperseg.imageio import FramePattern, read_display_window, write_alpha_exr
from hyperseg.plugin.client import Client, ClientConfig
from hyperseg.plugin.coords import FrameGeometry, to_image
from hyperseg.protocol.clicktracks import ClickTracks
from hyperseg.protocol.errors import InputError

PADDED = "%04d"


@dataclass(frozen=True)
class PlateSource:
    """Where frame N of the plate is: a Read's own file pattern, or the node's rendered cache."""

    pattern: str
    rendered: bool = False

    def path(self, frame: int) -> Path:
        try:
            return FramePattern(self.pattern).path(frame)
        except InputError:
            return Path(self.pattern)  # a still: one file for every frame


@dataclass(frozen=True)
class CachePaths:
    """The node's cache folder: plates it rendered and the alphas it shows (full and proxy size)."""

    directory: Path

    @property
    def plate(self) -> str:
        return str(self.directory / f"plate.{PADDED}.exr")

    @property
    def plate_proxy(self) -> str:
        return str(self.directory / f"plate_proxy.{PADDED}.exr")

    @property
    def alpha(self) -> str:
        return str(self.directory / f"alpha.{PADDED}.exr")

    @property
    def alpha_proxy(self) -> str:
        return str(self.directory / f"alpha_proxy.{PADDED}.exr")

    def alpha_path(self, frame: int, proxy_mode: bool) -> Path:
        return FramePattern(self.alpha_proxy if proxy_mode else self.alpha).path(frame)


@dataclass(frozen=True)
class NodeSettings:
    """A snapshot of one node's knobs, taken on the main thread."""

    connection: ClientConfig
    tracks: ClickTracks
    format_width: int
    format_height: int
    plate: PlateSource
    cache: CachePaths
    proxy_mode: bool = False
    network_proxy: float = 1.0
    use_previous: bool = True


@dataclass(frozen=True)
class FrameOutcome:
    """One frame done: where its alpha is, and how long the daemon took (ms) or why it is empty."""

    frame: int
    alpha_path: Path
    timings: dict[str, float] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class RangeOutcome:
    frames: list[FrameOutcome]
    requested: int
    cancelled: bool
    seconds: float

    def summary(self) -> str:
        done = len(self.frames)
        verb = f"cancelled after {done} of {self.requested} frames" if self.cancelled else f"segmented {done} frames"
        return f"{verb} in {self.seconds:.1f} s"


class NodeSession:
    """Segments for one node, keeping one client (one gRPC channel) while its connection settings hold."""

    def __init__(self, client_factory: Callable[[ClientConfig], Client] = Client.from_config) -> None:
        self._client_factory = client_factory
        self._client: Client | None = None
        self._config: ClientConfig | None = None

    def client(self, config: ClientConfig) -> Client:
        if self._client is None or config != self._config:
            self.close()
            self._client, self._config = self._client_factory(config), config
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def segment_frame(self, settings: NodeSettings, frame: int, interactive: bool = True) -> FrameOutcome:
        """Segment ``frame`` and write its alpha EXR (A plus every hypothesis) into the cache."""
        output = settings.cache.alpha_path(frame, settings.proxy_mode)
        output.parent.mkdir(parents=True, exist_ok=True)
        plate = settings.plate.path(frame)
        geometry = _geometry(plate, settings)
        positive, negative = settings.tracks.at(frame)
        if not positive:
            _write_empty(output, geometry)
            return FrameOutcome(frame, output, note=f"no positive click on frame {frame}: alpha left empty")
        previous = settings.plate.path(frame - 1) if settings.use_previous else None
        if previous is not None and (previous == plate or not previous.is_file()):
            previous = None
        result = self.client(settings.connection).segment(
            plate,
            positive=[to_image(p, geometry) for p in positive],
            negative=[to_image(p, geometry) for p in negative],
            previous=previous,
            proxy=settings.network_proxy if interactive else 1.0,
            hypotheses="all",
            frame_number=frame,
        )
        result.save(output)
        return FrameOutcome(frame, output, dict(result.timings))

    def segment_range(
        self,
        settings: NodeSettings,
        frames: Sequence[int],
        progress: Callable[[int, int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> RangeOutcome:
        """Segment ``frames`` at full resolution in order; ``progress(done, total, frame)`` after each,
        stopping early when ``cancelled()`` says so."""
        started = time.perf_counter()
        done: list[FrameOutcome] = []
        for frame in frames:
            if cancelled is not None and cancelled():
                return RangeOutcome(done, len(frames), True, time.perf_counter() - started)
            done.append(self.segment_frame(settings, frame, interactive=False))
            if progress is not None:
                progress(len(done), len(frames), frame)
        return RangeOutcome(done, len(frames), False, time.perf_counter() - started)


def _geometry(plate: Path, settings: NodeSettings) -> FrameGeometry:
    """Format (what the knobs are in) against the plate file's display window (smaller in proxy)."""
    display = read_display_window(plate)
    return FrameGeometry(settings.format_width, settings.format_height, display.width, display.height)


def _write_empty(path: Path, geometry: FrameGeometry) -> None:
    write_alpha_exr(path, np.zeros((geometry.image_height, geometry.image_width), dtype=np.float32))
