"""Synthetic shots with known motion: a textured disc sliding over a static textured background."""

from __future__ import annotations

import cv2
import numpy as np


def texture(height: int, width: int, seed: int) -> np.ndarray:
    """(H, W, 3) float32 in [0, 1]: smoothed noise, trackable everywhere."""
    rng = np.random.default_rng(seed)
    noise = rng.uniform(0, 1, (height, width, 3)).astype(np.float32)
    smooth = cv2.GaussianBlur(noise, (0, 0), 2.0)
    return (smooth - smooth.min()) / (smooth.max() - smooth.min())


def shifted(image: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """``image`` moved by (dx, dy) pixels (bilinear, edges replicated)."""
    matrix = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(image, matrix, image.shape[1::-1], flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


class DiscShot:
    """Frame t shows a disc of radius ``radius`` centred at ``start + t * velocity`` over a still background."""

    def __init__(self, height=240, width=320, start=(110.0, 120.0), velocity=(2.5, 0.75), radius=50.0, seed=0):
        self.height, self.width = height, width
        self.start, self.velocity, self.radius = np.array(start), np.array(velocity), radius
        self.background = texture(height, width, seed)
        self.foreground = texture(height, width, seed + 1) * 0.6 + 0.4

    def centre(self, t: int) -> np.ndarray:
        return self.start + t * self.velocity

    def mask(self, t: int) -> np.ndarray:
        y, x = np.mgrid[0 : self.height, 0 : self.width] + 0.5
        cx, cy = self.centre(t)
        return (x - cx) ** 2 + (y - cy) ** 2 <= self.radius**2

    def rgb(self, t: int) -> np.ndarray:
        dx, dy = self.centre(t) - self.start
        moved = shifted(self.foreground, float(dx), float(dy))
        return np.where(self.mask(t)[..., None], moved, self.background).astype(np.float32)
