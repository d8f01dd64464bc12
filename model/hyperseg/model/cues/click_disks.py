"""Clicks drawn as disks on a pixel grid: the binary click maps B_p, B_n and the colour models' samples."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hyperseg.protocol.clicks import Point


def click_map(points: Sequence[Point], height: int, width: int, radius: float) -> np.ndarray:
    """Binary (H, W) map: 1 within ``radius`` pixels of a click (at least the clicked pixel)."""
    out = np.zeros((height, width), np.float32)
    for x, y in points:
        col, row = int(np.floor(x)), int(np.floor(y))
        r = max(int(np.ceil(radius)), 0)
        r0, r1, c0, c1 = max(row - r, 0), min(row + r + 1, height), max(col - r, 0), min(col + r + 1, width)
        if r0 >= r1 or c0 >= c1:
            continue
        yy, xx = np.mgrid[r0:r1, c0:c1]
        inside = (xx + 0.5 - x) ** 2 + (yy + 0.5 - y) ** 2 <= max(radius, 0.5) ** 2
        out[r0:r1, c0:c1][inside] = 1.0
        if 0 <= row < height and 0 <= col < width:
            out[row, col] = 1.0
    return out
