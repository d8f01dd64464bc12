"""Training clicks: the simulation of Xu et al. 2016 (Deep Interactive Object Selection).

Coordinates are (x, y) floats in pixels, x right, y down, pixel centres at +0.5. Masks are (H, W)
bool arrays.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from hyperseg.model.evaluation.metrics import check_mask
from hyperseg.protocol.clicks import Point
from hyperseg.protocol.errors import InputError

NEGATIVE_STRATEGIES = ("background", "other_objects", "ring")
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
