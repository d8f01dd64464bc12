import numpy as np
import pytest
import torch

from hyperseg.model import Predictor
from hyperseg.model.checkpoint import load_checkpoint, save_checkpoint
from hyperseg.model.config import ModelConfig
from hyperseg.model.training.averaging import average_checkpoints
from hyperseg.protocol.errors import InputError


def snapshot(tmp_path, name, model, order):
    """``model`` saved as a trainer exports it, hypotheses relabelled in ``order``."""
    path = tmp_path / f"{name}.pt"
    save_checkpoint(path, model, {"steps": len(name), "hypothesis_order": order}, order)
    return path


@pytest.fixture(scope="module")
def model():
    return Predictor.untrained(seed=4, config=ModelConfig.tiny()).model


def test_snapshots_of_the_same_weights_in_other_hypothesis_orders_average_to_those_weights(tmp_path, model):
    a, b = snapshot(tmp_path, "a", model, [2, 0, 1]), snapshot(tmp_path, "bb", model, [1, 2, 0])
    average_checkpoints([a, b], tmp_path / "avg.pt")
    averaged, last = load_checkpoint(tmp_path / "avg.pt"), load_checkpoint(b)
    for key, value in last.model.can.state_dict().items():
        assert torch.allclose(averaged.model.can.state_dict()[key], value, atol=1e-7), key
    assert [entry["steps"] for entry in averaged.training["averaged"]] == [1, 2]
    assert averaged.training["hypothesis_order"] == [1, 2, 0]


def test_the_average_is_the_mean_of_the_weights(tmp_path, model):
    other = Predictor.untrained(seed=4, config=ModelConfig.tiny()).model
    with torch.no_grad():
        for parameter in other.can.parameters():
            parameter.add_(torch.randn_like(parameter))
    a, b = snapshot(tmp_path, "a", model, [0, 1, 2]), snapshot(tmp_path, "bb", other, [0, 1, 2])
    average_checkpoints([a, b], tmp_path / "avg.pt")
    averaged = load_checkpoint(tmp_path / "avg.pt").model
    for key, value in averaged.can.state_dict().items():
        expected = (model.can.state_dict()[key] + other.can.state_dict()[key]) / 2
        assert torch.allclose(value, expected, atol=1e-6), key
    rgb = np.random.default_rng(0).random((30, 40, 3), dtype=np.float32)
    predictor = Predictor.load(tmp_path / "avg.pt", device="cpu")
    predictor.set_frame(rgb)
    assert predictor.predict([(5.5, 5.5)]).masks.shape == (3, 30, 40)


def test_checkpoints_of_other_models_are_refused(tmp_path, model):
    a = snapshot(tmp_path, "a", model, [0, 1, 2])
    other = Predictor.untrained(seed=5, config=ModelConfig.tiny()).model  # other Tucker factors
    with pytest.raises(InputError, match="other Tucker factors"):
        average_checkpoints([a, snapshot(tmp_path, "bb", other, [0, 1, 2])], tmp_path / "avg.pt")
    with pytest.raises(InputError, match="at least two"):
        average_checkpoints([a], tmp_path / "avg.pt")
    assert not (tmp_path / "avg.pt").exists()
