"""The first click's answer re-cut by GrabCut: the clicks' colour mixtures take the object's edge.

On an object a colour model separates at once, the network's first answer often fills one patch of
it (a cow's flank, not its legs and head) or stops short of its edge, where GrabCut grown from the
same click covers it. GrabCut alone leaks across the frame on objects of the background's colours.
With ``ModelConfig.first_click_recut`` > 0, each hypothesis of a frame's first answer becomes the
labels GrabCut starts from: probable foreground inside its 0.5 contour, probable background within
``first_click_recut`` x its equivalent radius (the radius of a disc of its area) outside it, and
background beyond that and on the frame's border; the click disks are fixed to their side. GrabCut's
colour mixtures (fitted on the whole frame) and graph cut decide every probable pixel, so the mask
may grow to the object's edge or give back what is not the object's colour, within the band only.
A pixel whose side GrabCut changes keeps the network's confidence on the other side (p becomes
1 - p), so alpha stays soft where the two agree. GrabCut's smoothing acts between neighbouring
pixels, so a grid of another size is cut at ``RECUT_PIXELS`` and the changes resized back: the
re-cut means the same, at one cost, whatever the proxy. A frame smaller than that is cut at its own
size (``recut_pixels``): enlarging it past its own pixels adds nothing to cut and costs 25 times the
time on a 128x96 frame.

Where the object's colours barely overlap those around it (``colour_overlap`` under
``ModelConfig.first_click_recut_overlap``), a first answer that stops short of the object's edge (a
swan's neck, a cow's flank in patches) is re-cut within ``ModelConfig.first_click_recut_wide``
instead: a colour model that separates the object that well may take its edge further out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np
from scipy import ndimage

from hyperseg.model.cues.boundary_band import contoured
from hyperseg.model.cues.classical import DEFAULT_CONFIG, click_disks, frame_border, grabcut_labels
from hyperseg.model.cues.colour_model import colour_bins, colour_histogram
from hyperseg.model.frames import enlarge, resize
from hyperseg.protocol.clicks import Point

#: GrabCut's rounds of fitting its colour mixtures and cutting; on the tuning frames 3 gave the
#: first click's IoU that 5 did, in three fifths of the time.
RECUT_ITERATIONS = 3

#: GrabCut runs on this many pixels (640x360's worth, the default model's own run grid, where its
#: band was chosen): on the tuning frames' first clicks at proxy 0.5, cut at its own 427x240 a frame
#: gained 0.012 IoU and cut at this size 0.019 (benchmarks/results/first_click_recut_bands.json), and
#: a 2K plate at proxy 1.0 would take seconds.
RECUT_PIXELS = 640 * 360

#: Histogram bins per RGB channel of ``colour_overlap``.
OVERLAP_BINS = 8


def recut_pixels(frame_size: tuple[int, int]) -> int:
    """Pixels GrabCut cuts a frame of ``frame_size`` (height, width) at: RECUT_PIXELS, or the frame's own
    count where it has fewer."""
    return min(RECUT_PIXELS, frame_size[0] * frame_size[1])


def recut_labels(inside: np.ndarray, band: float, positive: Sequence[Point], negative: Sequence[Point],
                 diagonal: float) -> np.ndarray:
    """(H, W) uint8 GrabCut labels for a mask ``inside`` with a band of ``band`` x its equivalent radius."""
    reach = band * math.sqrt(np.count_nonzero(inside) / math.pi)
    labels = np.full(inside.shape, cv2.GC_BGD, dtype=np.uint8)
    labels[ndimage.distance_transform_edt(~inside) <= reach] = cv2.GC_PR_BGD
    labels[frame_border(inside.shape, DEFAULT_CONFIG.border_width)] = cv2.GC_BGD
    labels[inside] = cv2.GC_PR_FGD
    radius = DEFAULT_CONFIG.click_radius_at(diagonal)
    labels[click_disks(inside.shape, negative, radius)] = cv2.GC_BGD
    labels[click_disks(inside.shape, positive, radius)] = cv2.GC_FGD
    return labels


def colour_overlap(rgb: np.ndarray, inside: np.ndarray) -> float:
    """How alike the colours of ``inside`` and of the ring around it out to its equivalent radius are: the
    Bhattacharyya coefficient of their (``OVERLAP_BINS`` per channel) RGB histograms, 1 for the same
    colours, 0 for none shared; 1 when either side is empty. ``rgb`` is (H, W, 3) in [0, 1]."""
    if not inside.any():
        return 1.0
    ring = (ndimage.distance_transform_edt(~inside) <= math.sqrt(np.count_nonzero(inside) / math.pi)) & ~inside
    if not ring.any():
        return 1.0
    index = colour_bins(rgb, OVERLAP_BINS)
    inner, outer = (colour_histogram(index, side, OVERLAP_BINS) for side in (inside, ring))
    return float(np.sqrt(inner * outer).sum())


def _resized(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``image`` at ``size`` = (h, w): area-averaged down (``resize``), bilinear up (``enlarge``)."""
    shrinking = size[0] * size[1] < image.shape[0] * image.shape[1]
    return (resize if shrinking else enlarge)(image, size)


def recut_with_grabcut(probabilities: np.ndarray, rgb: np.ndarray, positive: Sequence[Point],
                       negative: Sequence[Point], band: float, hypotheses: Sequence[int] | None = None,
                       diagonal: float | None = None, pixels: int = RECUT_PIXELS, wide: float = 0.0,
                       overlap: float = 0.0) -> np.ndarray:
    """(M, H, W) hypotheses re-cut by GrabCut within ``band`` x each one's equivalent radius (see the module).

    ``rgb`` is the (H, W, 3) frame in [0, 1] and clicks are (x, y) in its pixels. Only the
    ``hypotheses`` listed are re-cut (None: all); ``diagonal`` (default: ``rgb``'s) sizes the click disks.
    GrabCut runs on the grid resized to ``pixels``. A hypothesis with no contour is left as it is. One whose
    ``colour_overlap`` is under ``overlap`` is re-cut within ``wide`` instead (0: never).
    """
    height, width = probabilities.shape[1:]
    diagonal = math.hypot(height, width) if diagonal is None else diagonal
    scale = math.sqrt(pixels / (height * width))
    work = (max(1, round(height * scale)), max(1, round(width * scale)))
    if work == (height, width):
        scale = 1.0

    def back(mask: np.ndarray) -> np.ndarray:
        return _resized(mask.astype(np.float32), (height, width)) > 0.5

    work_rgb = _resized(rgb, work)
    work_positive = [(x * scale, y * scale) for x, y in positive]
    work_negative = [(x * scale, y * scale) for x, y in negative]
    out = probabilities.copy()
    for hypothesis, inside in contoured(out, hypotheses):
        work_inside = _resized(hypothesis, work) > 0.5
        separated = wide > 0 and colour_overlap(work_rgb, work_inside) < overlap
        labels = recut_labels(work_inside, wide if separated else band, work_positive, work_negative,
                              diagonal * scale)
        cut = grabcut_labels(work_rgb, labels, RECUT_ITERATIONS)
        # Only what GrabCut changed on its grid changes here: resizing alone moves no pixel.
        flipped = back(cut != work_inside) & (back(cut) != inside)
        hypothesis[flipped] = 1.0 - hypothesis[flipped]
    return out
