"""The evaluation clicker (RITM / ClickSEG) and the loop that runs it against a predict function.

Coordinates are (x, y) floats in pixels, x right, y down, pixel centres at +0.5: a click on pixel
row r, column c is (c + 0.5, r + 0.5). Masks are (H, W) bool arrays.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from hyperseg.model.evaluation.metrics import check_mask, check_unknown, iou, noc
from hyperseg.protocol.clicks import Point
from hyperseg.protocol.errors import InputError

PROBABILITY_THRESHOLD = 0.49
"""A pixel is foreground when its probability exceeds this (ClickSEG's evaluation threshold)."""


def _error_depth(error: np.ndarray) -> np.ndarray:
    """Exact L2 distance of each error pixel to the nearest non-error pixel or the frame edge."""
    padded = np.pad(error, 1).astype(np.uint8)
    return cv2.distanceTransform(padded, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)[1:-1, 1:-1]


class EvalClicker:
    """The RITM / ClickSEG evaluation clicker: click the deepest point of the largest error.

    False negatives (gt & ~pred) and false positives (~gt & pred) are distance-transformed
    (padded by a 1-pixel background border, so the frame edge counts as the region's edge); the
    click goes to the deepest point of whichever is deeper, positive if that is a false negative.
    Ties go to the first pixel in row-major order, as in RITM. Pixels of unknown label (a still
    benchmark's band) are no error: as RITM's ignore label, they bound the error regions.
    """

    def next_click(
        self, gt: np.ndarray, pred: np.ndarray, not_clicked: np.ndarray | None = None,
        unknown: np.ndarray | None = None,
    ) -> tuple[float, float, bool] | None:
        """(x, y, is_positive) of the next click, or None when no clickable error pixel is left.

        ``not_clicked`` (bool, optional) is False at pixels already clicked; they are never
        clicked again. ``unknown`` (bool, optional) is True where the ground truth has no label.
        """
        gt = check_mask(gt, "ground truth")
        pred = check_mask(pred, "prediction")
        if pred.shape != gt.shape:
            raise InputError(f"prediction shape {pred.shape} differs from ground-truth shape {gt.shape}")
        known = ~check_unknown(unknown, gt.shape) if unknown is not None else True
        fn_depth = _error_depth(gt & ~pred & known)
        fp_depth = _error_depth(~gt & pred & known)
        if not_clicked is not None:
            not_clicked = check_mask(not_clicked, "not_clicked")
            if not_clicked.shape != gt.shape:
                raise InputError(f"not_clicked shape {not_clicked.shape} differs from {gt.shape}")
            fn_depth *= not_clicked
            fp_depth *= not_clicked
        fn_max, fp_max = float(fn_depth.max()), float(fp_depth.max())
        if fn_max == 0 and fp_max == 0:
            return None
        is_positive = fn_max > fp_max
        depth = fn_depth if is_positive else fp_depth
        row, col = np.unravel_index(int(np.argmax(depth)), depth.shape)
        return float(col) + 0.5, float(row) + 0.5, is_positive


PredictFn = Callable[[list[Point], list[Point], np.ndarray | None], np.ndarray]
"""predict_fn(positive, negative, previous_probability | None) -> (H, W) float probability."""


@dataclass
class ClickRun:
    """One object's evaluation run.

    ``ious[k - 1]`` is the IoU after click k, always ``max_clicks`` long: if the clicker runs
    out of error to click (the prediction is exact), the last IoU carries forward. ``clicks`` and
    ``seconds`` (predict_fn time per click) hold only the clicks actually made.
    """

    ious: list[float]
    clicks: list[tuple[float, float, bool]]
    noc: dict[float, int]
    seconds: list[float]


def run_clicker(
    gt: np.ndarray,
    predict_fn: PredictFn,
    max_clicks: int = 20,
    iou_thresholds: Sequence[float] = (0.85, 0.90),
    threshold: float = PROBABILITY_THRESHOLD,
    stop_at: float | None = None,
    on_click: Callable[[tuple[float, float, bool], float, float], None] | None = None,
    unknown: np.ndarray | None = None,
) -> ClickRun:
    """Click ``max_clicks`` times with ``EvalClicker`` against ``predict_fn``, from an empty mask.

    Clicking goes on after the IoU thresholds are reached, so mIoU@k is defined for every k,
    unless ``stop_at`` stops it at that IoU (the rest carries the last IoU forward, as when the
    clicker runs out of error). ``on_click(click, iou, seconds)`` hears each click as it is made.
    ``unknown`` marks pixels of unknown label: never clicked, not scored.
    """
    gt = check_mask(gt, "ground truth")
    if not gt.any():
        raise InputError("ground-truth mask is empty: there is no object to click on")
    if max_clicks < 1:
        raise InputError(f"max_clicks must be at least 1, got {max_clicks}")
    clicker = EvalClicker()
    pred = np.zeros_like(gt)
    not_clicked = np.ones_like(gt)
    probability: np.ndarray | None = None
    positive: list[Point] = []
    negative: list[Point] = []
    run = ClickRun(ious=[], clicks=[], noc={}, seconds=[])
    for _ in range(max_clicks):
        click = clicker.next_click(gt, pred, not_clicked, unknown)
        if click is None:
            break
        x, y, is_positive = click
        (positive if is_positive else negative).append((x, y))
        not_clicked[int(y), int(x)] = False
        start = time.perf_counter()
        probability = np.asarray(predict_fn(list(positive), list(negative), probability))
        run.seconds.append(time.perf_counter() - start)
        if probability.shape != gt.shape:
            raise InputError(f"predict_fn returned shape {probability.shape}, expected {gt.shape}")
        pred = probability > threshold
        run.clicks.append(click)
        run.ious.append(iou(pred, gt, unknown))
        if on_click is not None:
            on_click(click, run.ious[-1], run.seconds[-1])
        if stop_at is not None and run.ious[-1] >= stop_at:
            break
    run.ious += [run.ious[-1]] * (max_clicks - len(run.ious))
    run.noc = {t: noc(run.ious, t, max_clicks) for t in iou_thresholds}
    return run
