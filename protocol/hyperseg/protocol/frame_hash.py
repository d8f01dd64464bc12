"""Content hash of a frame as it travels to the daemon (torch-free; client and daemon share it).

The hash is a frame's identity: it covers everything that changes a segmentation's result, the
frame's shape, sample type, channel names and bytes, and where the plane sits (its data window's
origin and the display window), so two planes with equal bytes but different sizes or windows
(two black frames, one plate with two placements) never share a hash.
See ``FrameHeader.sha256`` in protos/hyperseg/v1/hyperseg.proto.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np

from hyperseg.imageio import Window

PREFIX = b"hyperseg-frame-v1\n"
DTYPES = {"float32": np.dtype("<f4"), "float16": np.dtype("<f2")}


def header_line(
    width: int, height: int, dtype: str, channel_names: Sequence[str],
    data_origin: tuple[int, int] = (0, 0), display_window: Window | None = None,
) -> bytes:
    """The line hashed ahead of the plane: ``b"<width>x<height> <dtype> <c1,c2,...>\\n"``.

    A plane that does not sit at (0, 0) as its own display window adds its placement before the
    newline: ``" data <x>,<y> display <x>,<y>,<width>,<height>"``.
    """
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {sorted(DTYPES)}, got {dtype!r}")
    line = f"{width}x{height} {dtype} {','.join(channel_names)}"
    display = display_window or Window(0, 0, width, height)
    if tuple(data_origin) != (0, 0) or display != Window(0, 0, width, height):
        x, y = data_origin
        line += f" data {x},{y} display {display.x},{display.y},{display.width},{display.height}"
    return f"{line}\n".encode()


def frame_hash_chunks(
    width: int, height: int, dtype: str, channel_names: Sequence[str], chunks: Iterable[bytes],
    data_origin: tuple[int, int] = (0, 0), display_window: Window | None = None,
) -> str:
    """Hash a plane given as consecutive byte chunks; returns lowercase hex SHA-256."""
    digest = hashlib.sha256(PREFIX)
    digest.update(header_line(width, height, dtype, channel_names, data_origin, display_window))
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def frame_hash(
    pixels: np.ndarray, channel_names: Sequence[str], data_origin: tuple[int, int] = (0, 0),
    display_window: Window | None = None,
) -> str:
    """Hash an (H, W, C) float32 or float16 array exactly as it is uploaded."""
    if pixels.ndim != 3 or pixels.shape[2] != len(channel_names):
        raise ValueError(
            f"pixels must be (height, width, {len(channel_names)}) for channels {list(channel_names)},"
            f" got shape {pixels.shape}"
        )
    dtype = {np.dtype("float32"): "float32", np.dtype("float16"): "float16"}.get(pixels.dtype)
    if dtype is None:
        raise ValueError(f"pixels must be float32 or float16, got {pixels.dtype}")
    plane = np.ascontiguousarray(pixels, dtype=DTYPES[dtype])
    height, width = plane.shape[:2]
    return frame_hash_chunks(width, height, dtype, channel_names, [memoryview(plane).cast("B")], data_origin,
                             display_window)
