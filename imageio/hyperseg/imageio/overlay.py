"""Alpha overlays a person can look at: the plate, the matte tinted, its edge and the clicks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hyperseg.protocol.clicks import Point

TINT = np.array([1.0, 0.25, 0.2], np.float32)
POSITIVE_COLOUR = np.array([0.1, 1.0, 0.2], np.float32)
NEGATIVE_COLOUR = np.array([1.0, 0.1, 0.1], np.float32)


def _edge(mask: np.ndarray) -> np.ndarray:
    padded = np.pad(mask, 1, mode="edge")
    return mask & ~(padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:])


def _disk(image: np.ndarray, point: Point, radius: float, colour: np.ndarray) -> None:
    h, w = image.shape[:2]
    yy, xx = np.ogrid[:h, :w]
    distance = np.sqrt((xx + 0.5 - point[0]) ** 2 + (yy + 0.5 - point[1]) ** 2)
    image[distance <= radius + 1.5] = 0.0
    image[distance <= radius] = colour


def alpha_overlay(rgb: np.ndarray, alpha: np.ndarray, positive: Sequence[Point] = (),
                  negative: Sequence[Point] = (), opacity: float = 0.45) -> np.ndarray:
    """(H, W, 3) float32 in [0, 1]: the matte tinted over the plate, a white edge, clicks as dots."""
    out = np.clip(rgb, 0, 1).astype(np.float32).copy()
    a = np.clip(alpha, 0, 1)[:, :, None] * opacity
    out = out * (1 - a) + TINT * a
    out[_edge(alpha > 0.5)] = 1.0
    radius = max(3.0, 0.006 * max(rgb.shape[:2]))
    for point in positive:
        _disk(out, point, radius, POSITIVE_COLOUR)
    for point in negative:
        _disk(out, point, radius, NEGATIVE_COLOUR)
    return out
