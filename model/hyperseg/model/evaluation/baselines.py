"""The classical baselines evaluation compares the network with, as predict functions."""

import functools
from collections.abc import Callable

import numpy as np

from hyperseg.model.cues.classical import grabcut_segment, random_walker_segment
from hyperseg.model.evaluation.clicker import PredictFn
from hyperseg.protocol.errors import InputError

BASELINES: dict[str, Callable[..., np.ndarray]] = {
    "grabcut": grabcut_segment,
    "random_walker": random_walker_segment,
}


def baseline_predict_fn(name: str, rgb: np.ndarray) -> PredictFn:
    """``predict_fn(positive, negative, previous_probability)`` of baseline ``name`` on ``rgb``."""
    if name not in BASELINES:
        raise InputError(f"unknown baseline {name!r}; known: {', '.join(sorted(BASELINES))}")
    return functools.partial(BASELINES[name], rgb)
