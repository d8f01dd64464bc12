import numpy as np
import pytest

from hyperseg.model.evaluation.intervals import bootstrap_intervals
from hyperseg.protocol.errors import InputError


def mean_of(values):
    values = np.asarray(values, dtype=float)
    return lambda indices: {"mean": float(values[indices].mean()), "max": float(values[indices].max())}


def test_the_interval_holds_the_score_and_narrows_with_more_frames():
    rng = np.random.default_rng(1)
    few, many = rng.normal(10, 3, 12), rng.normal(10, 3, 120)
    (low, high), = bootstrap_intervals(len(few), mean_of(few), ["mean"]).values()
    (low_many, high_many), = bootstrap_intervals(len(many), mean_of(many), ["mean"]).values()
    assert low < few.mean() < high and low_many < many.mean() < high_many
    assert high_many - low_many < high - low
    # A mean's 95% interval is about 4 standard errors wide, so ten times the frames narrow it about 3x.
    for (a, b), values in (((low, high), few), ((low_many, high_many), many)):
        assert 3.2 < (b - a) / (values.std() / np.sqrt(len(values))) < 4.4


def test_frames_that_all_score_alike_give_no_spread_and_keys_share_their_draws():
    assert bootstrap_intervals(5, mean_of([0.7] * 5), ["mean"]) == {"mean": (0.7, 0.7)}
    intervals = bootstrap_intervals(6, mean_of([1, 2, 3, 4, 5, 6]), ["mean", "max"], draws=400, seed=3)
    assert intervals == bootstrap_intervals(6, mean_of([1, 2, 3, 4, 5, 6]), ["mean", "max"], draws=400, seed=3)
    assert intervals["max"][1] == 6.0 and intervals["max"][0] >= intervals["mean"][0]


@pytest.mark.parametrize("frames, level, message", [(1, 0.95, "at least 2 frames, got 1"),
                                                    (4, 1.0, "level must be between 0 and 1, got 1.0")])
def test_an_interval_that_cannot_be_drawn_is_refused(frames, level, message):
    with pytest.raises(InputError, match=message):
        bootstrap_intervals(frames, mean_of([1.0] * max(frames, 1)), ["mean"], level=level)
