"""The checkpoint that ships (model/hyperseg/model/checkpoints/default.pt) against the files beside it."""

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
from hyperseg.model.training.trainer import TrainConfig

CHECKPOINTS = files("hyperseg.model") / "checkpoints"
# The random VGG-19 the bundled model was trained on (vgg19-random-v1, PCG64 seed 20201). If this
# changes, the shipped checkpoint refuses to load: the backbone's weights would differ.
SHIPPED_BACKBONE_FINGERPRINT = "e74a6908e7c9782f"


@pytest.fixture(scope="module")
def shipped() -> Predictor:
    return Predictor.load(device="cpu")


def test_the_shipped_payload_matches_its_train_config_and_the_named_config():
    payload, ident = read_checkpoint(CHECKPOINTS / "default.pt")
    assert payload["backbone"] == {"name": "vgg19-random-v1", "fingerprint": SHIPPED_BACKBONE_FINGERPRINT}
    assert ModelConfig.from_dict(payload["config"]) == ModelConfig.default()
    train_config = json.loads((CHECKPOINTS / "default.train_config.json").read_text())
    assert json.loads(payload["training"]["train_config"]) == train_config
    recipe = files("hyperseg.model") / "train_configs" / "default.json"
    assert TrainConfig.from_dict(json.loads(recipe.read_text())) == TrainConfig.from_dict(train_config)
    log = (CHECKPOINTS / "default.train_log.jsonl").read_text().splitlines()
    assert payload["training"]["steps"] == len(log) == json.loads(log[-1])["step"] == 650
    assert ident == "a3bcd129132f"


def test_the_random_backbone_still_has_the_shipped_fingerprint():
    assert fingerprint(random_vgg19_state(20201)) == SHIPPED_BACKBONE_FINGERPRINT


def test_the_shipped_checkpoint_is_the_one_its_evaluation_describes(shipped):
    evaluated = json.loads((CHECKPOINTS / "default.eval.json").read_text())["predictor"]
    assert shipped.describe() == evaluated
    assert shipped.checkpoint_id == evaluated["checkpoint"]
    assert shipped.model.backbone.fingerprint == SHIPPED_BACKBONE_FINGERPRINT


def test_first_clicks_reproduce_the_committed_evaluation(shipped, davis):
    """The first evaluated frame, clicked as ``hyperseg eval`` did: the IoUs in default.eval.json."""
    committed = json.loads((CHECKPOINTS / "default.eval.json").read_text())
    first = committed["config"]["sequences"][0]
    config = EvalConfig(data=str(davis), sequences=(first,), proxy=committed["config"]["proxy"],
                        frames_per_sequence=committed["config"]["frames_per_sequence"])
    (_, frame), *_ = usable_samples(evaluation_frames(config)[:1])
    scores = MethodScores("hyperseg")
    predict = hyperseg_predict_fn(shipped, frame.rgb, frame.previous, config.proxy, scores, feed_previous_mask=False)
    run = run_clicker(frame.mask, predict, max_clicks=3)
    assert run.ious == pytest.approx(committed["per_frame"]["hyperseg"]["ious"][0][:3], abs=2e-3)
