"""A frame as the daemon receives it: a float32 RGB plane named by its content hash, sent in chunks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hyperseg.imageio import Window, network_rgb, read_image
from hyperseg.protocol.errors import InputError
from hyperseg.protocol.frame_hash import frame_hash
from hyperseg.protocol.frame_values import rgb_pixels
from hyperseg.v1 import hyperseg_pb2 as pb

CHANNELS = ("R", "G", "B")
DEFAULT_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class FramePlane:
    """An (H, W, 3) float32 C-contiguous plane, its content hash and where it sits in the frame.

    The plane covers ``data_window`` (default: the display window; default of both: (0, 0, W, H)).
    """

    pixels: np.ndarray
    sha256: str
    display_window: Window | None = None
    data_window: Window | None = None

    @classmethod
    def from_array(
        cls, pixels: np.ndarray, display_window: Window | None = None, data_window: Window | None = None
    ) -> FramePlane:
        plane = np.ascontiguousarray(rgb_pixels(pixels, "a frame"))
        placed = data_window or display_window
        if placed is not None and placed.shape != plane.shape[:2]:
            raise InputError(
                f"a frame placed at {placed} must be {placed.width}x{placed.height}, got"
                f" {plane.shape[1]}x{plane.shape[0]} pixels"
            )
        origin = (0, 0) if placed is None else (placed.x, placed.y)
        return cls(plane, frame_hash(plane, CHANNELS, origin, display_window), display_window, data_window)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], colorspace: str | None = None) -> FramePlane:
        """Read an image here (for a daemon that cannot see this file): its data window, both windows,
        converted from ``colorspace`` (None: the file's own) to the network's (``hyperseg.imageio.colour``)."""
        image = read_image(Path(path))
        return cls.from_array(network_rgb(image, colorspace), image.display_window, image.data_window)

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    def header(self) -> pb.FrameHeader:
        header = pb.FrameHeader(
            sha256=self.sha256,
            width=self.width,
            height=self.height,
            channel_names=list(CHANNELS),
            dtype=pb.DTYPE_FLOAT32,
            total_bytes=self.pixels.nbytes,
        )
        for name in ("display_window", "data_window"):
            window = getattr(self, name)
            if window is not None:
                getattr(header, name).CopyFrom(
                    pb.Window(x=window.x, y=window.y, width=window.width, height=window.height)
                )
        return header

    def chunks(self, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> Iterator[pb.FrameChunk]:
        """The UploadFrame stream: the header rides on the first chunk, then data in order."""
        data = memoryview(self.pixels).cast("B")
        for offset in range(0, len(data), chunk_bytes):
            chunk = pb.FrameChunk(offset=offset, data=bytes(data[offset : offset + chunk_bytes]))
            if offset == 0:
                chunk.header.CopyFrom(self.header())
            yield chunk
