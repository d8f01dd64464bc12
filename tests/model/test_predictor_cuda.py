"""The predictor on a CUDA device gives the CPU's answer (needs a GPU: skipped and listed without one)."""

from __future__ import annotations

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
        masks.append(predictor.predict(positive=[(20.5, 18.5)], negative=[(3.5, 3.5)]).masks)
    cpu, cuda = masks
    assert np.abs(cuda - cpu).mean() < 1e-3  # float noise may move a pixel at a post-process's threshold
    overlap = ((cuda > 0.5) & (cpu > 0.5)).sum() / max(((cuda > 0.5) | (cpu > 0.5)).sum(), 1)
    assert overlap > 0.99
