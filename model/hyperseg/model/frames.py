"""Frames as the network takes them: checked (H, W, 3) float32 in [0, 1], resized with one filter."""

from __future__ import annotations

import cv2
import numpy as np

from hyperseg.protocol.errors import InputError
from hyperseg.protocol.frame_values import rgb_pixels


def check_frame(rgb: np.ndarray, name: str = "frame") -> np.ndarray:
    """A frame as ``hyperseg.protocol.frame_values.rgb_pixels`` takes it (RGB or RGBA, float or 8/16-bit), finite;
    returned as (H, W, 3) float32 clipped to [0, 1] (scene-linear highlights above 1 are clipped)."""
    rgb = rgb_pixels(rgb, name)
    bad = ~np.isfinite(rgb).all(axis=2)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise InputError(f"{name} has {int(bad.sum())} NaN/inf pixels (first at x={col}, y={row})")
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
