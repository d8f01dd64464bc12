"""The bundled demo plate: a deterministic 854x480 frame drawn by code (no dataset ships).

A ceramic-looking vase with shading stands on a textured table in front of a graded wall, with a
window and a plant as distractors. The same pixels come out on every machine.
"""

from __future__ import annotations

import numpy as np

WIDTH, HEIGHT = 854, 480


def _value_noise(rng: np.random.Generator, height: int, width: int, cell: int) -> np.ndarray:
    coarse = rng.random((height // cell + 2, width // cell + 2))
    ys = np.arange(height) / cell
    xs = np.arange(width) / cell
    y0, x0 = ys.astype(int), xs.astype(int)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    a = coarse[y0][:, x0]
    b = coarse[y0][:, x0 + 1]
    c = coarse[y0 + 1][:, x0]
    d = coarse[y0 + 1][:, x0 + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def vase_mask() -> np.ndarray:
    """The vase's true matte: the demo's ground truth."""
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH] + 0.5
    t = (yy - 150) / 230  # 0 at the rim, 1 at the foot
    profile = 40 + 55 * np.sin(np.clip(t, 0, 1) * np.pi) ** 0.8 + 8 * np.cos(t * 9)
    body = (t >= 0) & (t <= 1) & (np.abs(xx - 430) <= profile)
    neck = (yy >= 130) & (yy < 152) & (np.abs(xx - 430) <= 32)
    return body | neck


def sample_plate() -> np.ndarray:
    """(480, 854, 3) float32 in [0, 1]."""
    rng = np.random.default_rng(1001)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH] + 0.5
    wall = np.stack([0.55 + 0.15 * yy / HEIGHT, 0.5 + 0.1 * yy / HEIGHT, 0.42 + 0.05 * yy / HEIGHT], axis=-1)
    wall += 0.04 * (_value_noise(rng, HEIGHT, WIDTH, 24)[:, :, None] - 0.5)
    window = (xx > 80) & (xx < 300) & (yy > 40) & (yy < 230)
    wall[window] = [0.75, 0.85, 0.95]
    wall[window & ((np.abs(xx - 190) < 4) | (np.abs(yy - 135) < 4))] = [0.35, 0.3, 0.25]
    table = yy > 360
    grain = _value_noise(rng, HEIGHT, WIDTH, 6)
    wall[table] = (np.stack([0.45, 0.3, 0.18]) * (0.8 + 0.4 * grain[:, :, None]))[table]
    plant = ((xx - 690) ** 2 / 60**2 + (yy - 250) ** 2 / 110**2 <= 1) & (_value_noise(rng, HEIGHT, WIDTH, 10) > 0.45)
    wall[plant] = [0.15, 0.4, 0.15]
    vase = vase_mask()
    shade = np.clip(1.0 - np.abs(xx - 410) / 120, 0.25, 1.0)[:, :, None]
    wall[vase] = (np.array([0.2, 0.35, 0.75]) * (0.5 + 0.7 * shade))[vase]
    wall[vase & (np.abs(yy - 230) < 6)] = [0.85, 0.8, 0.3]  # a painted band
    shadow = table & ((xx - 470) ** 2 / 120**2 + (yy - 385) ** 2 / 18**2 <= 1) & ~vase
    wall[shadow] *= 0.6
    wall += rng.normal(0, 0.01, wall.shape)
    return np.clip(wall, 0, 1).astype(np.float32)
