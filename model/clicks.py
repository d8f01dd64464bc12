"""Clicks: training-time simulation (Xu et al. 2016) and the evaluation clicker (RITM / ClickSEG).

Coordinates are (x, y) floats in pixels, x right, y down, pixel centres at +0.5: a click on pixel
row r, column c is (c + 0.5, r + 0.5). Masks are (H, W) bool arrays.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
from scipy import ndimage

from hyperseg.errors import InputError
from hyperseg.model.metrics import check_mask, iou, noc

Point = tuple[float, float]

NEGATIVE_STRATEGIES = ("background", "other_objects", "ring")
PROBABILITY_THRESHOLD = 0.49
"""A pixel is foreground when its probability exceeds this (ClickSEG's evaluation threshold)."""


@dataclass(frozen=True)
class ClickSimulatorConfig:
    """Xu et al.'s click sampling parameters (pixels) and the negative strategies to draw from.

    Strategies: "background" (random background points more than d_margin from the object),
    "other_objects" (points on the other objects' masks), "ring" (farthest-point samples in the
    background within ring_width of the object).
    """

    d_margin: float = 5.0
    d_step: float = 10.0
    max_positive: int = 15
    max_negative: int = 15
    min_positive: int = 1
    min_negative: int = 0
    ring_width: float = 40.0
    negative_strategies: tuple[str, ...] = NEGATIVE_STRATEGIES

    def __post_init__(self) -> None:
        if self.d_margin < 0 or self.d_step < 0:
            raise InputError(f"d_margin and d_step must be >= 0, got {self.d_margin} and {self.d_step}")
        if not 1 <= self.min_positive <= self.max_positive:
            raise InputError(
                f"need 1 <= min_positive <= max_positive, got {self.min_positive} and {self.max_positive}"
            )
        if not 0 <= self.min_negative <= self.max_negative:
            raise InputError(
                f"need 0 <= min_negative <= max_negative, got {self.min_negative} and {self.max_negative}"
            )
        if self.ring_width <= self.d_margin:
            raise InputError(f"ring_width ({self.ring_width}) must exceed d_margin ({self.d_margin})")
        unknown = sorted(set(self.negative_strategies) - set(NEGATIVE_STRATEGIES))
        if unknown or not self.negative_strategies:
            raise InputError(
                f"negative_strategies must be a non-empty subset of {NEGATIVE_STRATEGIES}, "
                f"got {self.negative_strategies}"
            )


@dataclass
class Clicks:
    """Simulated clicks for one object; ``negative_strategy`` says how the negatives were drawn."""

    positive: list[Point] = field(default_factory=list)
    negative: list[Point] = field(default_factory=list)
    negative_strategy: str | None = None


def _to_points(rows: np.ndarray, cols: np.ndarray) -> list[Point]:
    return [(float(c) + 0.5, float(r) + 0.5) for r, c in zip(rows, cols, strict=True)]


def _spaced_sample(candidates: np.ndarray, count: int, d_step: float, rng: np.random.Generator) -> list[Point]:
    """Up to ``count`` random pixels of ``candidates``, each at least ``d_step`` from the others."""
    rows, cols = np.nonzero(candidates)
    coords = np.stack([rows, cols], axis=1).astype(np.float64)
    picked_rows, picked_cols = [], []
    while len(picked_rows) < count and len(coords) > 0:
        r, c = coords[rng.integers(len(coords))]
        picked_rows.append(r)
        picked_cols.append(c)
        coords = coords[np.hypot(coords[:, 0] - r, coords[:, 1] - c) >= d_step]
    return _to_points(np.array(picked_rows), np.array(picked_cols))


def _farthest_point_sample(
    candidates: np.ndarray, count: int, d_step: float, rng: np.random.Generator
) -> list[Point]:
    """Farthest-point sampling over ``candidates`` from a random start; stops below ``d_step``."""
    rows, cols = np.nonzero(candidates)
    if count == 0 or len(rows) == 0:
        return []
    first = rng.integers(len(rows))
    picked = [first]
    nearest = np.hypot(rows - rows[first], cols - cols[first])
    while len(picked) < count:
        best = int(np.argmax(nearest))
        if nearest[best] < d_step:
            break
        picked.append(best)
        nearest = np.minimum(nearest, np.hypot(rows - rows[best], cols - cols[best]))
    return _to_points(rows[picked], cols[picked])


class ClickSimulator:
    """Training clicks after Xu et al. 2016, "Deep Interactive Object Selection".

    Positives lie inside the object, at least d_margin from its boundary (the frame edge counts
    as boundary) and d_step from each other; an object too thin for the margin gets one click at
    its deepest pixel. Negatives come from one strategy drawn at random per sample. Counts are
    uniform in [min, max]; fewer come back when the free area runs out. Seeded and reproducible.
    """

    def __init__(self, config: ClickSimulatorConfig | None = None, seed: int | None = None) -> None:
        self.config = config or ClickSimulatorConfig()
        self.rng = np.random.default_rng(seed)

    def sample(
        self, mask: np.ndarray, others: np.ndarray | None = None, rng: np.random.Generator | None = None
    ) -> Clicks:
        """Clicks for the object ``mask``; ``others`` is the union of the other objects' masks."""
        mask = check_mask(mask, "object mask")
        if not mask.any():
            raise InputError("object mask is empty: there is no object to place positive clicks on")
        if others is not None:
            others = check_mask(others, "other objects mask")
            if others.shape != mask.shape:
                raise InputError(f"other objects mask shape {others.shape} differs from {mask.shape}")
        rng = rng or self.rng
        cfg = self.config
        positive = self._positives(mask, rng)
        strategy = str(rng.choice(cfg.negative_strategies))
        count = int(rng.integers(cfg.min_negative, cfg.max_negative + 1))
        distance_to_object = ndimage.distance_transform_edt(~mask)
        outside = distance_to_object > cfg.d_margin
        if strategy == "other_objects":
            on_others = others & outside if others is not None else np.zeros_like(mask)
            if on_others.any():
                deep = on_others & (ndimage.distance_transform_edt(np.pad(others, 1))[1:-1, 1:-1] >= cfg.d_margin)
                negative = _spaced_sample(deep if deep.any() else on_others, count, cfg.d_step, rng)
                return Clicks(positive, negative, strategy)
            strategy = "background"
        if strategy == "ring":
            ring = outside & (distance_to_object <= cfg.ring_width)
            return Clicks(positive, _farthest_point_sample(ring, count, cfg.d_step, rng), strategy)
        return Clicks(positive, _spaced_sample(outside, count, cfg.d_step, rng), strategy)

    def _positives(self, mask: np.ndarray, rng: np.random.Generator) -> list[Point]:
        cfg = self.config
        depth = ndimage.distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]
        inside = depth >= cfg.d_margin
        if not inside.any():
            row, col = np.unravel_index(int(np.argmax(depth)), depth.shape)
            return _to_points(np.array([row]), np.array([col]))
        count = int(rng.integers(cfg.min_positive, cfg.max_positive + 1))
        return _spaced_sample(inside, count, cfg.d_step, rng)


def _error_depth(error: np.ndarray) -> np.ndarray:
    """Exact L2 distance of each error pixel to the nearest non-error pixel or the frame edge."""
    padded = np.pad(error, 1).astype(np.uint8)
    return cv2.distanceTransform(padded, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)[1:-1, 1:-1]


class EvalClicker:
    """The RITM / ClickSEG evaluation clicker: click the deepest point of the largest error.

    False negatives (gt & ~pred) and false positives (~gt & pred) are distance-transformed
    (padded by a 1-pixel background border, so the frame edge counts as the region's edge); the
    click goes to the deepest point of whichever is deeper, positive if that is a false negative.
    Ties go to the first pixel in row-major order, as in RITM.
    """

    def next_click(
        self, gt: np.ndarray, pred: np.ndarray, not_clicked: np.ndarray | None = None
    ) -> tuple[float, float, bool] | None:
        """(x, y, is_positive) of the next click, or None when no clickable error pixel is left.

        ``not_clicked`` (bool, optional) is False at pixels already clicked; they are never
        clicked again.
        """
        gt = check_mask(gt, "ground truth")
        pred = check_mask(pred, "prediction")
        if pred.shape != gt.shape:
            raise InputError(f"prediction shape {pred.shape} differs from ground-truth shape {gt.shape}")
        fn_depth = _error_depth(gt & ~pred)
        fp_depth = _error_depth(~gt & pred)
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
) -> ClickRun:
    """Click ``max_clicks`` times with ``EvalClicker`` against ``predict_fn``, from an empty mask.

    Clicking goes on after the IoU thresholds are reached, so mIoU@k is defined for every k.
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
        click = clicker.next_click(gt, pred, not_clicked)
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
        run.ious.append(iou(pred, gt))
    run.ious += [run.ious[-1]] * (max_clicks - len(run.ious))
    run.noc = {t: noc(run.ious, t, max_clicks) for t in iou_thresholds}
    return run
