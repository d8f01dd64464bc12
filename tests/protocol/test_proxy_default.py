"""The proxy a model picks when the caller names none: its own resolution, never upscaled."""

import pytest

from hyperseg.model import Predictor
from hyperseg.model.config import RUN_PIXELS_640X360, ModelConfig
from hyperseg.protocol.proxy import model_proxy


@pytest.mark.parametrize(("size", "expected"), [((854, 480), 0.7497), ((2048, 1152), 0.3125), ((200, 100), 1.0)])
def test_frames_scale_to_the_model_resolution(size, expected):
    assert model_proxy(*size, RUN_PIXELS_640X360) == pytest.approx(expected, abs=1e-4)


def test_zero_run_pixels_means_full_resolution():
    assert model_proxy(4096, 2160, 0) == 1.0


def test_the_predictor_runs_an_unnamed_proxy_at_its_config_resolution():
    import numpy as np

    config = ModelConfig(**{**ModelConfig.tiny().to_dict(), "run_pixels": 24 * 16})
    predictor = Predictor.untrained(seed=0, config=config)
    frame = np.random.default_rng(0).random((64, 96, 3)).astype(np.float32)
    assert predictor.encode_frame(frame).run_size == (16, 24)
    assert predictor.encode_frame(frame, proxy=1.0).run_size == (64, 96)
