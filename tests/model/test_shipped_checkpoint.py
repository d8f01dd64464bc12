"""The checkpoints that ship (model/hyperseg/model/checkpoints/<name>.pt: the bundled default and the
paper's configuration) against the files beside them."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from hyperseg.model import Predictor
from hyperseg.model.checkpoint import read_checkpoint
from hyperseg.model.config import ModelConfig
from hyperseg.model.data import usable_samples
from hyperseg.model.evaluation.clicker import run_clicker
from hyperseg.model.evaluation.evaluate import EvalConfig, MethodScores, evaluation_frames, hyperseg_predict_fn
from hyperseg.model.network.backbone import fingerprint, random_vgg19_state
from hyperseg.model.training.trainer import TrainConfig, comparable

CHECKPOINTS = files("hyperseg.model") / "checkpoints"
# The random VGG-19 the bundled model was trained on (vgg19-random-v1, PCG64 seed 20201). If this
# changes, the shipped checkpoint refuses to load: the backbone's weights would differ.
SHIPPED_BACKBONE_FINGERPRINT = "e74a6908e7c9782f"


#: name -> (its named config, training steps, checkpoint id): what each shipped file must be.
SHIPPED = {
    "default": (ModelConfig.default(), 650, "046e4ad3acb5"),
    "paper": (ModelConfig.paper(), 375, "22086e14eb0f"),
}


@pytest.fixture(scope="module")
def shipped() -> Predictor:
    return Predictor.load(device="cpu")


@pytest.mark.parametrize("name", SHIPPED)
def test_the_shipped_payload_matches_its_train_config_and_the_named_config(name):
    config, steps, checkpoint_id = SHIPPED[name]
    payload, ident = read_checkpoint(CHECKPOINTS / f"{name}.pt")
    assert payload["backbone"] == {"name": "vgg19-random-v1", "fingerprint": SHIPPED_BACKBONE_FINGERPRINT}
    assert ModelConfig.from_dict(payload["config"]) == config
    train_config = json.loads((CHECKPOINTS / f"{name}.train_config.json").read_text())
    assert json.loads(payload["training"]["train_config"]) == train_config
    recipe = files("hyperseg.model") / "train_configs" / f"{name}.json"
    assert comparable(TrainConfig.from_dict(json.loads(recipe.read_text()))) == comparable(
        TrainConfig.from_dict(train_config))
    log = (CHECKPOINTS / f"{name}.train_log.jsonl").read_text().splitlines()
    assert payload["training"]["steps"] == len(log) == json.loads(log[-1])["step"] == steps
    assert ident == checkpoint_id


def test_the_random_backbone_still_has_the_shipped_fingerprint():
    assert fingerprint(random_vgg19_state(20201)) == SHIPPED_BACKBONE_FINGERPRINT


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_checkpoint_is_the_one_its_evaluation_describes(name, shipped):
    predictor = shipped if name == "default" else Predictor.load(CHECKPOINTS / f"{name}.pt", device="cpu")
    evaluated = json.loads((CHECKPOINTS / f"{name}.eval.json").read_text())["predictor"]
    assert predictor.describe() == evaluated
    assert predictor.checkpoint_id == evaluated["checkpoint"] == SHIPPED[name][2]
    assert predictor.model.backbone.fingerprint == SHIPPED_BACKBONE_FINGERPRINT


def test_first_clicks_reproduce_the_committed_evaluation(shipped, davis):
    """The first evaluated frame, clicked as ``hyperseg eval`` did: the IoUs in default.eval.json."""
    committed = json.loads((CHECKPOINTS / "default.eval.json").read_text())
    first = committed["config"]["sequences"][0]
    config = EvalConfig(data=str(davis), sequences=(first,), proxy=committed["config"]["proxy"],
                        frames_per_sequence=committed["config"]["frames_per_sequence"])
    (_, frame), *_ = usable_samples(evaluation_frames(config)[:1])
    scores = MethodScores("hyperseg")
    predict = hyperseg_predict_fn(shipped, frame.rgb, frame.previous, config.proxy, scores)
    run = run_clicker(frame.mask, predict, max_clicks=3)
    assert run.ious == pytest.approx(committed["per_frame"]["hyperseg"]["ious"][0][:3], abs=2e-3)
