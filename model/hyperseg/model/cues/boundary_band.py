"""Boundaries snap to image edges: a random walker re-solves a thin band around each contour.

The network decides what the object is; at a reduced-scale, random-init backbone its edges are
soft and a few pixels off, and IoU above 85% is made at the edge. With
``ModelConfig.boundary_band`` > 0, each hypothesis keeps its own values away from its 0.5
contour, where they seed a random walker (Grady 2006): inside as foreground, outside as
background, every click disk as its side. Pixels within the band of the contour take the
walker's probability, which follows colour edges. A hypothesis with no contour (all foreground
or all background) is left as it is.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np
import torch
from scipy import ndimage

from hyperseg.model.cues.classical import DEFAULT_CONFIG, click_disks, solve_walker
from hyperseg.protocol.clicks import Point


def contour_band(inside: np.ndarray, width: float) -> np.ndarray:
    """Pixels within ``width`` pixels of the boundary between ``inside`` and the rest."""
    distance = np.where(inside, ndimage.distance_transform_edt(inside), ndimage.distance_transform_edt(~inside))
    return distance <= width


def band_window(unknown: np.ndarray) -> tuple[slice, slice]:
    """The band's bounding box grown by one pixel: every unknown pixel's neighbours are inside it,
    so the walker solved on the window (edge weights normalised as the frame's) equals the one
    solved on the whole frame, at a fraction of the cost."""
    rows, cols = np.flatnonzero(unknown.any(axis=1)), np.flatnonzero(unknown.any(axis=0))
    return (slice(max(rows[0] - 1, 0), rows[-1] + 2), slice(max(cols[0] - 1, 0), cols[-1] + 2))


def contoured(probabilities: np.ndarray, hypotheses: Sequence[int] | None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Each listed hypothesis (None: all) of (M, H, W) ``probabilities`` that has a 0.5 contour (neither all
    foreground nor all background), as (the hypothesis, a view to change in place; its inside)."""
    for index in range(len(probabilities)) if hypotheses is None else hypotheses:
        hypothesis = probabilities[index]
        inside = hypothesis > 0.5
        if inside.any() and not inside.all():
            yield hypothesis, inside


def refine_boundaries(probabilities: np.ndarray, rgb: np.ndarray, positive: Sequence[Point],
                      negative: Sequence[Point], band: float, hypotheses: Sequence[int] | None = None,
                      diagonal: float | None = None, frame_std: float | None = None,
                      device: torch.device | None = None) -> np.ndarray:
    """(M, H, W) hypotheses with a band of ``band`` x the diagonal around each contour re-solved.

    ``rgb`` is the (H, W, 3) frame in [0, 1] and clicks are (x, y) in its pixels. Only the
    ``hypotheses`` listed are refined (None: all). On a crop of a frame, ``diagonal`` is the
    frame's diagonal at the crop's scale (it sizes the band and the click disks) and
    ``frame_std`` the frame's standard deviation (the walker's edge weights); both default to
    those of ``rgb`` itself. ``device``: where the walker is solved (``solve_walker``).
    """
    shape = probabilities.shape[1:]
    diagonal = math.hypot(*shape) if diagonal is None else diagonal
    band_pixels = max(1.0, band * diagonal)
    radius = DEFAULT_CONFIG.click_radius_at(diagonal)
    positive_seeds = click_disks(shape, positive, radius)
    negative_seeds = click_disks(shape, negative, radius)
    frame_std = float(rgb.std()) if frame_std is None else frame_std
    out = probabilities.copy()
    for hypothesis, inside in contoured(out, hypotheses):
        unknown = contour_band(inside, band_pixels)
        seeds = np.where(inside, 1, 2).astype(np.int32)
        seeds[unknown] = 0
        seeds[negative_seeds] = 2
        seeds[positive_seeds] = 1
        if not (seeds == 1).any() or not (seeds == 2).any():
            continue
        window = band_window(unknown)
        walker = solve_walker(rgb[window], seeds[window], frame_std=frame_std, device=device)
        hypothesis[window][unknown[window]] = walker[unknown[window]]
    return np.clip(out, 0.0, 1.0)
