"""Frames as the network takes them: checked (H, W, 3) float32 in [0, 1], resized with one filter."""

from __future__ import annotations

import cv2
import numpy as np

from hyperseg.protocol.errors import InputError

#: A float frame whose median is above this is taken for 8-bit values stored as floats (0-255), not a
#: scene-linear plate: such a plate's highlights go above 1, but its middle grey sits near 0.18, and a
#: median of 4 is a frame blown out more than four stops above it.
MAX_FLOAT_MEDIAN = 4.0


def check_frame(rgb: np.ndarray, name: str = "frame") -> np.ndarray:
    """A (H, W, 3) frame, finite: float (highlights above 1 are clipped) or 8/16-bit integers (scaled by their
    largest value, as an image file's pixels); returned as float32 in [0, 1]."""
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise InputError(f"{name} must be an (H, W, 3) RGB array, got shape {rgb.shape}")
    if rgb.shape[0] < 1 or rgb.shape[1] < 1:
        raise InputError(f"{name} is empty: {rgb.shape}")
    if rgb.dtype in (np.uint8, np.uint16):
        return rgb.astype(np.float32) / np.iinfo(rgb.dtype).max
    if not np.issubdtype(rgb.dtype, np.floating):
        raise InputError(f"{name} must be float in [0, 1] (or uint8/uint16), got dtype {rgb.dtype}")
    bad = ~np.isfinite(rgb).all(axis=2)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise InputError(f"{name} has {int(bad.sum())} NaN/inf pixels (first at x={col}, y={row})")
    median = float(np.median(rgb[::4, ::4]))
    if median > MAX_FLOAT_MEDIAN:
        raise InputError(f"{name} looks like 0-255 values stored as floats (median {median:.1f}): divide by 255, "
                         f"or pass the uint8 array")
    return np.clip(rgb, 0.0, 1.0).astype(np.float32, copy=False)


def enlarge(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """(H, W[, C]) float32 grown to ``size`` = (h, w), bilinear: a frame as a larger plate would show it."""
    if image.shape[:2] == size:
        return image
    return cv2.resize(image, (size[1], size[0]), interpolation=cv2.INTER_LINEAR)


def resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """(H, W[, C]) float32 resized to ``size`` = (h, w); area filter when shrinking."""
    if image.shape[:2] == size:
        return image
    return cv2.resize(image, (size[1], size[0]), interpolation=cv2.INTER_AREA)
