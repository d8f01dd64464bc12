import numpy as np
import pytest

from hyperseg.model.config import ModelConfig
from hyperseg.model.cues.hypothesis_choice import least_change_first


def _hypotheses(*foregrounds: slice) -> np.ndarray:
    """(M, 8, 8) hypotheses, each 0.9 on its rows and 0.1 elsewhere."""
    out = np.full((len(foregrounds), 8, 8), 0.1, np.float32)
    for hypothesis, rows in zip(out, foregrounds, strict=True):
        hypothesis[rows] = 0.9
    return out


def test_the_hypothesis_that_changes_the_previous_answer_least_comes_first_the_rest_in_order():
    previous = np.zeros((8, 8), bool)
    previous[2:5] = True
    hypotheses = _hypotheses(slice(0, 8), slice(0, 6), slice(2, 6), slice(1, 3))
    ordered = least_change_first(hypotheses, previous)
    np.testing.assert_array_equal(ordered, hypotheses[[2, 0, 1, 3]])  # 8, 24, 40 and 16 pixels changed


def test_the_trained_order_stays_where_the_first_changes_least_or_ties():
    previous = np.zeros((8, 8), bool)
    previous[2:5] = True
    hypotheses = _hypotheses(slice(2, 6), slice(1, 5), slice(0, 8))  # 8, 8 and 40 pixels changed
    assert least_change_first(hypotheses, previous) is hypotheses


def test_an_unknown_ordering_is_refused_by_the_config():
    with pytest.raises(ValueError, match="later_click_hypothesis must be one of"):
        ModelConfig(later_click_hypothesis="best")
