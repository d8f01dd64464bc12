"""Segmentation metrics for interactive evaluation: region IoU, two boundary IoUs, NoC and mIoU@k.

Two boundary measures exist and are reported side by side, never confused:

- ``boundary_iou``: Boundary IoU of Cheng et al. 2021 (CVPR), a band of width d = 2% of the image
  diagonal inside each mask's contour. This is what current papers call "Boundary IoU".
- ``contour_iou``: the HyperSeg paper's mBIOU (Rhodes & Goel 2020, sec. 3): the IoU of the 1-pixel
  contours of the two masks after dilating each by 1 pixel. Much stricter: it rewards only
  near pixel-exact boundaries.
"""

from collections.abc import Sequence

import cv2
import numpy as np

from hyperseg.protocol.errors import InputError

_SQUARE_3X3 = np.ones((3, 3), dtype=np.uint8)


def check_mask(mask: np.ndarray, name: str) -> np.ndarray:
    """Return ``mask`` as an (H, W) bool array, or raise InputError naming ``name``."""
    array = np.asarray(mask)
    if array.ndim != 2:
        raise InputError(f"{name} must be an (H, W) mask, got an array of shape {array.shape}")
    if array.size == 0:
        raise InputError(f"{name} has no pixels (shape {array.shape})")
    if array.dtype != bool:
        raise InputError(f"{name} must be a bool mask, got dtype {array.dtype}")
    return array


def _check_pair(pred: np.ndarray, gt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pred = check_mask(pred, "prediction")
    gt = check_mask(gt, "ground truth")
    if pred.shape != gt.shape:
        raise InputError(f"prediction shape {pred.shape} differs from ground-truth shape {gt.shape}")
    return pred, gt


def _ratio(intersection: int, union: int) -> float:
    return 1.0 if union == 0 else intersection / union


def iou(pred: np.ndarray, gt: np.ndarray, unknown: np.ndarray | None = None) -> float:
    """Region IoU |P ∩ G| / |P ∪ G| of two bool masks; 1.0 when both are empty. Pixels where
    ``unknown`` is True (a still benchmark's unknown band) count in neither (RITM's ignore label)."""
    pred, gt = _check_pair(pred, gt)
    if unknown is not None:
        known = ~check_unknown(unknown, gt.shape)
        pred, gt = pred & known, gt & known
    return _ratio(int(np.count_nonzero(pred & gt)), int(np.count_nonzero(pred | gt)))


def check_unknown(unknown: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``unknown`` as an (H, W) bool mask of ``shape``, or InputError."""
    unknown = check_mask(unknown, "unknown-label mask")
    if unknown.shape != shape:
        raise InputError(f"unknown-label mask shape {unknown.shape} differs from ground-truth shape {shape}")
    return unknown


def inner_band(mask: np.ndarray, width: int) -> np.ndarray:
    """Pixels of ``mask`` within ``width`` px (chessboard) of its contour: mask minus its erosion.

    The frame edge counts as contour (the mask is padded with background before eroding), as in
    the reference implementation of Cheng et al.
    """
    if width < 1:
        raise InputError(f"band width must be at least 1 pixel, got {width}")
    padded = np.pad(mask, 1).astype(np.uint8)
    eroded = cv2.erode(padded, _SQUARE_3X3, iterations=width)[1:-1, 1:-1].astype(bool)
    return mask & ~eroded


def boundary_band_width(shape: tuple[int, int], dilation_ratio: float) -> int:
    """Cheng et al.'s d: ``round(dilation_ratio * image diagonal)``, at least 1 pixel."""
    height, width = shape
    return max(1, round(dilation_ratio * float(np.hypot(height, width))))


def boundary_iou(pred: np.ndarray, gt: np.ndarray, dilation_ratio: float = 0.02) -> float:
    """Boundary IoU of Cheng et al. 2021: |(G_d ∩ G) ∩ (P_d ∩ P)| / |(G_d ∩ G) ∪ (P_d ∩ P)|.

    G_d ∩ G is the band of G within d pixels of its contour, d = ``boundary_band_width``
    (2% of the diagonal by default). 1.0 when both masks are empty.
    """
    pred, gt = _check_pair(pred, gt)
    if dilation_ratio <= 0:
        raise InputError(f"dilation_ratio must be positive, got {dilation_ratio}")
    d = boundary_band_width(gt.shape, dilation_ratio)
    pred_band, gt_band = inner_band(pred, d), inner_band(gt, d)
    return _ratio(int(np.count_nonzero(pred_band & gt_band)), int(np.count_nonzero(pred_band | gt_band)))


def contour_iou(pred: np.ndarray, gt: np.ndarray) -> float:
    """The HyperSeg paper's mBIOU: IoU of the two 1-pixel contours, each dilated by 1 pixel.

    A contour is the mask minus its 3x3 erosion (frame edge counts as contour); the dilation is
    3x3 too, so each contour becomes about 3 pixels wide. 1.0 when both masks are empty.
    """
    pred, gt = _check_pair(pred, gt)
    pred_band = cv2.dilate(inner_band(pred, 1).astype(np.uint8), _SQUARE_3X3).astype(bool)
    gt_band = cv2.dilate(inner_band(gt, 1).astype(np.uint8), _SQUARE_3X3).astype(bool)
    return _ratio(int(np.count_nonzero(pred_band & gt_band)), int(np.count_nonzero(pred_band | gt_band)))


def noc(ious: Sequence[float], threshold: float, max_clicks: int) -> int:
    """Number of clicks: the 1-based index of the first IoU >= ``threshold``, else ``max_clicks``.

    Only the first ``max_clicks`` entries of ``ious`` (IoU after click 1, 2, ...) count.
    """
    if max_clicks < 1:
        raise InputError(f"max_clicks must be at least 1, got {max_clicks}")
    for clicks, value in enumerate(ious[:max_clicks], start=1):
        if value >= threshold:
            return clicks
    return max_clicks


def miou_at(ious_per_run: Sequence[Sequence[float]], k: int) -> float:
    """mIoU@k: the mean over runs of the IoU after the k-th click (k counts from 1)."""
    if k < 1:
        raise InputError(f"k must be at least 1, got {k}")
    if len(ious_per_run) == 0:
        raise InputError("mIoU needs at least one run")
    short = [len(run) for run in ious_per_run if len(run) < k]
    if short:
        raise InputError(f"mIoU@{k} needs {k} IoUs per run; {len(short)} run(s) have fewer ({min(short)})")
    return float(np.mean([run[k - 1] for run in ious_per_run]))
