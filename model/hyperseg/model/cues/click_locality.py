"""A later click changes what it asks for, and little else.

A click added to a frame that already has a mask asks for one thing: a positive click for more
foreground where it lands, a negative click for less. The network re-run for it may also move the
mask elsewhere (a limb it fills in, or loses; a background region it floods), and those changes
are what make a click harmful (it lowers the IoU). ``ModelConfig.click_changes`` chooses what a
later click may change, per hypothesis, against the previous prediction's hypothesis on the same
pixels:

- ``"any"``: everything (the network's output as it is).
- ``"direction"``: a positive click may only grow the mask and a negative click only shrink it;
  pixels that flipped the other way keep their previous probability.
- ``"connected"``: only the grown region that contains a new positive click and the shrunk region
  that contains a new negative click change; every other pixel keeps its previous probability.
- ``"reach"``: as "direction", within the click's reach only: a disc around it of
  ``ModelConfig.click_reach`` times its distance to the previous contour (the depth of the error
  it was placed in), at least ``click_reach_min`` of the grid's diagonal. Floods (a click near the
  contour that pours the mask into the background tens of pixels away) are what made most harmful
  clicks on the tuning frames. ``click_reach_positive`` gives positive clicks, whose floods those
  were, a reach of their own.
  With ``gradient`` given (``click_reach_geodesic``), the reach is measured along the image: the
  geodesic distance over colour gradients that the geodesic cue uses, never shorter than the
  straight one, so a reach stops sooner where it would cross an edge.
  With ``click_reach_along`` > 0, a click's own region (as in "connected") also changes as far
  as it stays within ``click_reach_along`` times the click's depth of the previous contour: an
  error lying as a thin sliver along the contour is put right along its length in one click, where
  the disc covers a short piece of it; a flood still stops near the contour.

A region is a connected component (8-neighbourhood) of the pixels that crossed 0.5.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import ndimage

from hyperseg.model.config import ModelConfig
from hyperseg.model.cues.colour_model import colour_posterior
from hyperseg.model.cues.context import geodesic_distance_map
from hyperseg.protocol.clicks import Point

_EIGHT = np.ones((3, 3), dtype=bool)


def _pixel(point: Point, shape: tuple[int, int]) -> tuple[int, int]:
    x, y = point
    return min(max(int(y), 0), shape[0] - 1), min(max(int(x), 0), shape[1] - 1)


def _regions_at(flipped: np.ndarray, points: Sequence[Point]) -> np.ndarray:
    """The connected components of ``flipped`` that contain one of ``points``."""
    if not points or not flipped.any():
        return np.zeros_like(flipped)
    labels, _ = ndimage.label(flipped, structure=_EIGHT)
    hit = {labels[_pixel(point, flipped.shape)] for point in points} - {0}
    return np.isin(labels, sorted(hit)) if hit else np.zeros_like(flipped)


def _depth(side: np.ndarray) -> np.ndarray | None:
    """Each pixel's distance to ``side``'s nearest pixel; None when ``side`` is empty."""
    return ndimage.distance_transform_edt(~side) if side.any() else None


def _within_reach(depth: np.ndarray | None, points: Sequence[Point], reach: float, smallest: float,
                  shape: tuple[int, int], gradient: np.ndarray | None = None) -> np.ndarray:
    """Pixels within each of ``points``' reach: ``reach`` x its ``depth`` (distance to the side it was placed
    against), at least ``smallest`` pixels; straight, or along the image over ``gradient``."""
    if not points:
        return np.zeros(shape, dtype=bool)
    if depth is None:  # nothing of that side to measure from: the click may change anything
        return np.ones(shape, dtype=bool)
    within = np.zeros(shape, dtype=bool)
    rows, cols = np.ogrid[: shape[0], : shape[1]]
    for point in points:
        row, col = _pixel(point, shape)
        radius = max(reach * depth[row, col], smallest)
        if gradient is None:
            within |= (rows + 0.5 - point[1]) ** 2 + (cols + 0.5 - point[0]) ** 2 <= radius**2
        else:
            within |= geodesic_distance_map([point], gradient, 1.0, radius + 1.0) <= radius
    return within


def _along_contour(flipped: np.ndarray, depth: np.ndarray | None, points: Sequence[Point],
                   reach: float) -> np.ndarray:
    """Pixels of ``flipped`` connected to one of ``points`` through pixels within that point's reach of the
    side ``depth`` measures from: ``reach`` x the point's own depth (no smallest reach: the band is as
    thin as the error the click was placed in)."""
    if not points or not flipped.any() or depth is None:
        return np.zeros_like(flipped)
    along = np.zeros_like(flipped)
    for point in points:
        row, col = _pixel(point, flipped.shape)
        along |= _regions_at(flipped & (depth <= reach * depth[row, col]), [point])
    return along


def _shallow(depth: np.ndarray | None, points: Sequence[Point], deepest: float, smallest: float,
             shape: tuple[int, int]) -> np.ndarray:
    """Pixels no deeper than ``deepest`` x the deepest of ``points``' depths (at least ``smallest`` pixels) in
    ``depth``, the distance to the side the points were placed against; everything when unmeasured."""
    if not points or depth is None:
        return np.ones(shape, dtype=bool)
    return depth <= max(deepest * max(depth[_pixel(point, shape)] for point in points), smallest)


def _thicker(flipped: np.ndarray, points: Sequence[Point], multiple: float, smallest: float) -> np.ndarray:
    """Pixels of ``flipped`` in its parts thicker than ``multiple`` x its half-width (distance to its edge) at the
    thickest of ``points`` (at least ``smallest`` pixels): every pixel a disc of that radius inside ``flipped``
    covers (a morphological opening). Nothing when there are no points."""
    if not points or not flipped.any():
        return np.zeros_like(flipped)
    half_width = ndimage.distance_transform_edt(flipped)
    radius = max(multiple * max(half_width[_pixel(point, flipped.shape)] for point in points), smallest)
    centres = half_width > radius
    if not centres.any():
        return np.zeros_like(flipped)
    return flipped & (ndimage.distance_transform_edt(~centres) <= radius)


def limit_click_changes(previous: np.ndarray, current: np.ndarray, added_positive: Sequence[Point],
                        added_negative: Sequence[Point], mode: str,
                        reach: float = ModelConfig.click_reach, smallest: float = 0.0,
                        along: float = 0.0, gradient: np.ndarray | None = None,
                        positive_reach: float = 0.0, deepest: float = 0.0,
                        rgb: np.ndarray | None = None, thickness: float = 0.0) -> np.ndarray:
    """(M, H, W) ``current`` hypotheses with the changes ``mode`` does not allow undone.

    ``previous``: the same hypotheses before the clicks ``added_positive`` / ``added_negative``
    (in (H, W) pixels) were added; ``mode`` one of ``hyperseg.model.config.CLICK_CHANGES``; ``reach`` and
    ``smallest`` (pixels) size a click's reach in mode "reach", ``along`` (0: off) how far from the
    previous contour its region may change along it; ``gradient`` ((H, W) colour gradient magnitude;
    None: straight) measures the reach along the image; ``positive_reach`` (0: ``reach``) sizes a
    positive click's; ``deepest`` (0: off) keeps a click's change within that multiple of its depth of
    the previous contour, except, with ``rgb`` ((H, W, 3) in [0, 1]), where the previous mask's colours
    put a pixel on the side the click asks for; ``thickness`` (0: off) keeps it out of the parts of what it
    flipped thicker than that multiple of the flip's half-width at the click (at least ``smallest``).
    """
    if mode == "any":
        return current
    out = current.copy()
    for old, new, target in zip(previous, current, out, strict=True):
        was, now = old > 0.5, new > 0.5
        grown, shrunk = now & ~was, was & ~now
        if mode == "direction":
            allowed = (grown if added_positive else np.zeros_like(grown)) | (
                shrunk if added_negative else np.zeros_like(shrunk))
        elif mode == "reach":
            # A click's depth: its distance to the side it asks to move (the mask for a positive click).
            to_mask = _depth(was) if added_positive else None
            to_background = _depth(~was) if added_negative else None
            allowed = (grown & _within_reach(to_mask, added_positive, positive_reach or reach, smallest, was.shape,
                                             gradient)) | (
                shrunk & _within_reach(to_background, added_negative, reach, smallest, was.shape, gradient))
            if along > 0:
                allowed |= _along_contour(grown, to_mask, added_positive, along) | _along_contour(
                    shrunk, to_background, added_negative, along)
            if deepest > 0:
                too_deep_grown = ~_shallow(to_mask, added_positive, deepest, smallest, was.shape)
                too_deep_shrunk = ~_shallow(to_background, added_negative, deepest, smallest, was.shape)
                if rgb is not None:  # a deeper pixel still changes to the side the previous mask's colours put it on
                    coloured = colour_posterior(rgb, was, ~was) > 0.5
                    too_deep_grown &= ~coloured
                    too_deep_shrunk &= coloured
                allowed &= ~((grown & too_deep_grown) | (shrunk & too_deep_shrunk))
            if thickness > 0:
                allowed &= ~(_thicker(grown, added_positive, thickness, smallest)
                             | _thicker(shrunk, added_negative, thickness, smallest))
        else:
            allowed = _regions_at(grown, added_positive) | _regions_at(shrunk, added_negative)
        undo = (grown | shrunk) & ~allowed
        target[undo] = old[undo]
    return out
