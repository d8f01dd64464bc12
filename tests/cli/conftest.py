import pytest

from hyperseg.model import Predictor
from hyperseg.model.checkpoint import save_checkpoint
from hyperseg.model.config import ModelConfig


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A tiny-config checkpoint file, untrained (seed 3), for CLI runs that need one to load."""
    path = tmp_path_factory.mktemp("ckpt") / "tiny.pt"
    save_checkpoint(path, Predictor.untrained(seed=3, config=ModelConfig.tiny()).model)
    return path
