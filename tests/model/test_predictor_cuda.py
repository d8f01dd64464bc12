"""The predictor on a CUDA device (half precision, torch solvers: its defaults there) gives the CPU's answer.

Needs a GPU: skipped and listed without one. ``test_half_precision_on_cpu`` runs the same code on CPU.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from hyperseg.model import Predictor
from hyperseg.model.config import ModelConfig


@pytest.mark.gpu
def test_cuda_masks_match_cpu():
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    rgb = np.random.default_rng(0).random((40, 56, 3), dtype=np.float32)
    masks = []
    for device in ("cpu", "cuda"):
        predictor = Predictor.untrained(seed=1, config=ModelConfig.tiny(), device=device)
        predictor.set_frame(rgb)
        first = predictor.predict(positive=[(20.5, 18.5)], negative=[(3.5, 3.5)])
        later = predictor.predict(positive=[(20.5, 18.5), (30.5, 22.5)], negative=[(3.5, 3.5)])
        masks.append((first.masks, later.masks))
    assert Predictor.untrained(device="cuda").dtype == torch.float16
    for cpu, cuda in zip(*masks, strict=True):
        _assert_masks_agree(cuda, cpu)


def _assert_masks_agree(masks: np.ndarray, reference: np.ndarray) -> None:
    assert np.abs(masks - reference).mean() < 1e-2  # half precision and float noise move values a little
    overlap = ((masks > 0.5) & (reference > 0.5)).sum() / max(((masks > 0.5) | (reference > 0.5)).sum(), 1)
    assert overlap > 0.99


def test_half_precision_on_cpu():
    """The CUDA path's half-precision click kernel, run on CPU: the float32 masks within tolerance."""
    config = replace(ModelConfig.default(), tucker_ranks=(4, 4, 4, 4, 4), width=16)
    rgb = np.random.default_rng(2).random((40, 56, 3), dtype=np.float32)
    masks = []
    for half in (False, True):
        predictor = Predictor.untrained(seed=1, config=config, half=half)
        assert predictor.encode_frame(rgb).image_part.dtype == (torch.float16 if half else torch.float32)
        predictor.set_frame(rgb)
        masks.append(predictor.predict(positive=[(20.5, 18.5)], negative=[(3.5, 3.5)]).masks)
    _assert_masks_agree(masks[1], masks[0])
