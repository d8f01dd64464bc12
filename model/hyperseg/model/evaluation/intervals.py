"""How far a score could move on other frames like these: a percentile bootstrap over frames.

An evaluation's frames are a sample of the footage a user will click on, so each score it reports
is an estimate. Drawing the frames again with replacement and scoring each draw gives the spread
of that estimate; the interval holds the middle ``level`` of the draws. Frames are resampled whole
(a frame's clicks depend on each other), so the interval widens with few frames, as it should.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from hyperseg.protocol.errors import InputError

#: Draws of the frames, and the share of them an interval holds.
DRAWS = 2000
LEVEL = 0.95


def bootstrap_intervals(frames: int, score: Callable[[np.ndarray], dict], keys: Sequence[str],
                        draws: int = DRAWS, level: float = LEVEL, seed: int = 0) -> dict[str, tuple[float, float]]:
    """``{key: (low, high)}``: the percentile interval of ``score(indices)[key]`` over ``draws``
    resamples of ``frames`` frame indices with replacement (the same draws for every key)."""
    if frames < 2:
        raise InputError(f"an interval over frames needs at least 2 frames, got {frames}")
    if not 0 < level < 1:
        raise InputError(f"level must be between 0 and 1, got {level}")
    rng = np.random.default_rng(seed)
    values = {key: np.empty(draws) for key in keys}
    for draw in range(draws):
        scores = score(rng.integers(0, frames, frames))
        for key in keys:
            values[key][draw] = scores[key]
    tail = 50.0 * (1.0 - level)
    return {key: (float(np.percentile(v, tail)), float(np.percentile(v, 100.0 - tail))) for key, v in values.items()}
