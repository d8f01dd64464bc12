"""Frames as the network takes them: checked (H, W, 3) float32 in [0, 1], resized with one filter."""

from __future__ import annotations

import cv2
import numpy as np

from hyperseg.protocol.errors import InputError
from hyperseg.protocol.frame_values import float_pixels


def check_frame(rgb: np.ndarray, name: str = "frame") -> np.ndarray:
    """A (H, W, 3) frame, finite: float (highlights above 1 are clipped) or 8/16-bit integers (scaled by their
    largest value, as an image file's pixels); returned as float32 in [0, 1]."""
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise InputError(f"{name} must be an (H, W, 3) RGB array, got shape {rgb.shape}")
    if rgb.shape[0] < 1 or rgb.shape[1] < 1:
        raise InputError(f"{name} is empty: {rgb.shape}")
    rgb = float_pixels(rgb, name)
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
