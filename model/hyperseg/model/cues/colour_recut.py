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
1 - p), so alpha stays soft where the two agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np
from scipy import ndimage

from hyperseg.model.cues.classical import DEFAULT_CONFIG, click_disks, grabcut_labels
from hyperseg.protocol.clicks import Point

#: GrabCut's rounds of fitting its colour mixtures and cutting; on the tuning frames 3 gave the
#: first click's IoU that 5 did, in three fifths of the time.
RECUT_ITERATIONS = 3


def recut_labels(inside: np.ndarray, band: float, positive: Sequence[Point], negative: Sequence[Point],
                 diagonal: float) -> np.ndarray:
    """(H, W) uint8 GrabCut labels for a mask ``inside`` with a band of ``band`` x its equivalent radius."""
    reach = band * math.sqrt(np.count_nonzero(inside) / math.pi)
    labels = np.full(inside.shape, cv2.GC_BGD, dtype=np.uint8)
    labels[ndimage.distance_transform_edt(~inside) <= reach] = cv2.GC_PR_BGD
    width = DEFAULT_CONFIG.border_width
    labels[:width], labels[-width:], labels[:, :width], labels[:, -width:] = (cv2.GC_BGD,) * 4
    labels[inside] = cv2.GC_PR_FGD
    radius = DEFAULT_CONFIG.click_radius_at(diagonal)
    labels[click_disks(inside.shape, negative, radius)] = cv2.GC_BGD
    labels[click_disks(inside.shape, positive, radius)] = cv2.GC_FGD
    return labels


def recut_with_grabcut(probabilities: np.ndarray, rgb: np.ndarray, positive: Sequence[Point],
                       negative: Sequence[Point], band: float, hypotheses: Sequence[int] | None = None,
                       diagonal: float | None = None) -> np.ndarray:
    """(M, H, W) hypotheses re-cut by GrabCut within ``band`` x each one's equivalent radius (see the module).

    ``rgb`` is the (H, W, 3) frame in [0, 1] and clicks are (x, y) in its pixels. Only the
    ``hypotheses`` listed are re-cut (None: all); ``diagonal`` (default: ``rgb``'s) sizes the click disks.
    A hypothesis with no contour is left as it is.
    """
    diagonal = math.hypot(*probabilities.shape[1:]) if diagonal is None else diagonal
    out = probabilities.copy()
    for index in range(len(out)) if hypotheses is None else hypotheses:
        hypothesis = out[index]
        inside = hypothesis > 0.5
        if inside.all() or not inside.any():
            continue
        labels = recut_labels(inside, band, positive, negative, diagonal)
        flipped = grabcut_labels(rgb, labels, RECUT_ITERATIONS) != inside
        hypothesis[flipped] = 1.0 - hypothesis[flipped]
    return out
