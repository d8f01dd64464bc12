"""Focus crop (FocalClick's focus crop, RITM's zoom-in): where a later click can change the mask.

The first click on a frame runs the whole frame. A later click runs the network only on a window
around the new click(s), sized by how far the click is from the previous mask's contour (a click
deep inside an error region can change a region about that deep), at most ``pixel budget``
pixels (a larger window is run at a reduced scale), and the result is pasted into the previous
mask. The network sees a margin of context around the window; only the window is pasted.
``FocusState`` is what a prediction leaves behind for the next click on the same frame.

Windows are (y0, x0, y1, x1), half-open, in pixels of the grid they are on.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

from hyperseg.model.cues.classical import FrameWalker
from hyperseg.protocol.clicks import Point

#: A click changes the mask up to this many times its distance to the previous contour.
FOCUS_REACH = 3.0
#: Smallest window half-side, as a fraction of the run grid's diagonal.
FOCUS_MIN_HALF = 0.1
#: The network sees this fraction of the window's size more on each side, so the pixels it pastes
#: are never the ones at its crop's edge (where its dilated layers see only padding). The CAN's
#: dilations reach 255 px, so what it makes of a pixel depends on a wide surround. On the tuning
#: frames (benchmarks/results/focus_crop_tuning.json) later clicks with a quarter of the window on
#: each side lost 0.006 IoU each against the whole frame; with half (362x362) or all of it
#: (512x512), none: half is the cheaper of the two.
CONTEXT_MARGIN = 0.5
#: Default pixel budget of a focus crop: the smallest window with its margins (2 x 0.2 of the
#: diagonal on a side) at the default 640x360 run grid fits without being scaled down.
FOCUS_PIXELS = 362 * 362
#: The contour distance is measured on a copy of the mask of at most this many pixels.
DISTANCE_PIXELS = 65_536

Window = tuple[int, int, int, int]


@dataclass
class FocusState:
    """What one prediction leaves for the next click on the same frame encoding.

    Arrays at the run grid (h, w) unless named full: the hypotheses after post-processing, the
    geodesic distances (full-resolution pixels, clipped), the masks as returned.
    """

    encoding: weakref.ref  # the FrameEncoding these belong to
    positive: list[Point]  # full-resolution clicks so far
    negative: list[Point]
    run_masks: np.ndarray  # (M, h, w)
    walker: FrameWalker | None  # the frame's random walker (cue and click enforcement), its factor kept
    geodesic: np.ndarray | None  # (2, h, w): to the nearest positive, negative click
    masks: np.ndarray  # (M, H, W), full resolution
    confidence: np.ndarray  # (M,) sum of |masks - 0.5| per hypothesis, float64: scores follow a paste cheaply

    def added_clicks(self, positive: Sequence[Point],
                     negative: Sequence[Point]) -> tuple[list[Point], list[Point]] | None:
        """The clicks added since this state, or None unless the old ones are kept and some are new."""
        kept = list(positive[: len(self.positive)]) == self.positive
        if not kept or list(negative[: len(self.negative)]) != self.negative:
            return None
        added = list(positive[len(self.positive):]), list(negative[len(self.negative):])
        return added if added[0] or added[1] else None


def focus_window(alpha: np.ndarray, clicks: Sequence[Point]) -> Window | None:
    """The window of the run grid that ``clicks`` (in its pixels) can change, given the previous ``alpha``.

    Each click gets a square of half-side FOCUS_REACH x its distance to the nearest pixel of the
    other side of ``alpha``'s 0.5 contour (at least FOCUS_MIN_HALF of the diagonal); the window
    is their union, clipped to the grid. None when the mask has no contour: anything can change.
    """
    height, width = alpha.shape
    inside = alpha > 0.5
    if inside.all() or not inside.any():
        return None
    step = max(1, math.ceil(math.sqrt(height * width / DISTANCE_PIXELS)))
    coarse = inside[::step, ::step]
    to_inside, to_outside = ndimage.distance_transform_edt(~coarse), ndimage.distance_transform_edt(coarse)
    minimum = FOCUS_MIN_HALF * math.hypot(height, width)
    y0, x0, y1, x1 = height, width, 0, 0
    for x, y in clicks:
        row = min(int(y) // step, coarse.shape[0] - 1)
        col = min(int(x) // step, coarse.shape[1] - 1)
        distance = (to_outside if coarse[row, col] else to_inside)[row, col] * step
        half = max(FOCUS_REACH * distance, minimum)
        y0, x0 = min(y0, math.floor(y - half)), min(x0, math.floor(x - half))
        y1, x1 = max(y1, math.ceil(y + half)), max(x1, math.ceil(x + half))
    return max(y0, 0), max(x0, 0), min(y1, height), min(x1, width)


def context_window(window: Window, size: tuple[int, int]) -> Window:
    """``window`` grown by CONTEXT_MARGIN of its height and width on each side, clipped to a grid of ``size``."""
    y0, x0, y1, x1 = window
    grow_y, grow_x = math.ceil(CONTEXT_MARGIN * (y1 - y0)), math.ceil(CONTEXT_MARGIN * (x1 - x0))
    return max(y0 - grow_y, 0), max(x0 - grow_x, 0), min(y1 + grow_y, size[0]), min(x1 + grow_x, size[1])


def crop_size(window: Window, budget: int) -> tuple[int, int]:
    """(h, w) the window runs at: as it is within ``budget`` pixels, else scaled down to it."""
    y0, x0, y1, x1 = window
    height, width = y1 - y0, x1 - x0
    scale = min(1.0, math.sqrt(budget / (height * width)))
    return max(1, round(height * scale)), max(1, round(width * scale))


def full_window(window: Window, run_size: tuple[int, int], full_size: tuple[int, int]) -> Window:
    """The full-resolution window whose bilinear upsampling from the run grid reads ``window``'s pixels."""
    (h, w), (big_h, big_w) = run_size, full_size
    y0, x0, y1, x1 = window
    return (max(0, math.floor((y0 - 1) * big_h / h)), max(0, math.floor((x0 - 1) * big_w / w)),
            min(big_h, math.ceil((y1 + 1) * big_h / h)), min(big_w, math.ceil((x1 + 1) * big_w / w)))


def _source_taps(count: int, size: int, start: int, stop: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Bilinear taps (i0, i1, weight of i1) for outputs start..stop of ``count`` -> ``size`` samples,
    as ``torch.nn.functional.interpolate(mode="bilinear", align_corners=False)`` takes them."""
    position = ((torch.arange(start, stop, dtype=torch.float64) + 0.5) * (count / size) - 0.5).clamp_min(0.0)
    lower = position.floor().long().clamp_max(count - 1)
    return lower, (lower + 1).clamp_max(count - 1), (position - lower).float()


def interpolate_window(source: torch.Tensor, size: tuple[int, int], window: Window) -> torch.Tensor:
    """The ``window`` of ``F.interpolate(source[None], size, mode="bilinear")[0]``, computed on its own.

    source: (C, h, w). Only the rows and columns the window reads are touched. When ``size`` is a
    whole multiple of (h, w) (proxy 0.5 of an even frame) the block of the source the window
    reads, with one pixel more on each side, is upsampled with ``F.interpolate`` itself: its
    sampling positions are the whole frame's, and the extra pixels keep its edge clamping away
    from the window's rows.
    """
    y0, x0, y1, x1 = window
    (height, width), device = source.shape[1:], source.device
    factor_y, factor_x = size[0] / height, size[1] / width
    if factor_y.is_integer() and factor_x.is_integer():
        ky, kx = int(factor_y), int(factor_x)
        top, left = max(y0 // ky - 1, 0), max(x0 // kx - 1, 0)
        bottom, right = min(-(-y1 // ky) + 1, height), min(-(-x1 // kx) + 1, width)
        block = F.interpolate(source[None, :, top:bottom, left:right], scale_factor=(ky, kx), mode="bilinear",
                              align_corners=False)[0]
        return block[:, y0 - top * ky : y1 - top * ky, x0 - left * kx : x1 - left * kx]
    rows0, rows1, row_weight = (t.to(device) for t in _source_taps(height, size[0], y0, y1))
    cols0, cols1, col_weight = (t.to(device) for t in _source_taps(width, size[1], x0, x1))
    rows = torch.lerp(source.index_select(1, rows0), source.index_select(1, rows1), row_weight[:, None])
    return torch.lerp(rows.index_select(2, cols0), rows.index_select(2, cols1), col_weight)
