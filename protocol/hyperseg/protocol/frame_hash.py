"""Content hash of a frame as it travels to the daemon (torch-free; client and daemon share it).

The hash covers the frame's shape, sample type and channel names as well as its bytes, so two
planes with equal bytes but different sizes (two black frames, say) never share a hash.
See ``FrameHeader.sha256`` in protos/hyperseg/v1/hyperseg.proto.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np

PREFIX = b"hyperseg-frame-v1\n"
DTYPES = {"float32": np.dtype("<f4"), "float16": np.dtype("<f2")}


def header_line(width: int, height: int, dtype: str, channel_names: Sequence[str]) -> bytes:
    """The line hashed ahead of the plane: ``b"<width>x<height> <dtype> <c1,c2,...>\\n"``."""
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {sorted(DTYPES)}, got {dtype!r}")
    return f"{width}x{height} {dtype} {','.join(channel_names)}\n".encode()


def frame_hash_chunks(
    width: int, height: int, dtype: str, channel_names: Sequence[str], chunks: Iterable[bytes]
) -> str:
    """Hash a plane given as consecutive byte chunks; returns lowercase hex SHA-256."""
    digest = hashlib.sha256(PREFIX)
    digest.update(header_line(width, height, dtype, channel_names))
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def frame_hash(pixels: np.ndarray, channel_names: Sequence[str]) -> str:
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
    return frame_hash_chunks(width, height, dtype, channel_names, [memoryview(plane).cast("B")])
