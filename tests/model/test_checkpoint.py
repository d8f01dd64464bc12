from dataclasses import replace

import numpy as np
import pytest
import torch

from hyperseg.model import Predictor
from hyperseg.model.checkpoint import BackboneMismatchError, load_checkpoint, save_checkpoint, with_post_processes
from hyperseg.model.config import ModelConfig
from hyperseg.protocol.errors import CorruptFileError, HypersegError, NotFoundError


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory):
    predictor = Predictor.untrained(seed=3, config=ModelConfig.tiny())
    path = tmp_path_factory.mktemp("ckpt") / "tiny.pt"
    ident = save_checkpoint(path, predictor.model, {"steps": 5})
    return path, ident, predictor


def test_round_trip_rebuilds_the_same_model(tiny_checkpoint):
    path, ident, original = tiny_checkpoint
    loaded = Predictor.load(path, device="cpu")
    assert loaded.checkpoint_id == ident and loaded.training["steps"] == 5
    assert loaded.config == original.config
    rgb = np.random.default_rng(0).random((30, 40, 3), dtype=np.float32)
    for p in (original, loaded):
        p.set_frame(rgb)
    a, b = original.predict([(5.5, 5.5)]), loaded.predict([(5.5, 5.5)])
    assert np.array_equal(a.masks, b.masks)


def test_post_processes_change_and_weights_stay(tmp_path, tiny_checkpoint):
    path, ident, original = tiny_checkpoint
    config = replace(original.config, click_changes="reach", boundary_band=0.02)
    new_ident = with_post_processes(path, tmp_path / "reach.pt", config)
    loaded = load_checkpoint(tmp_path / "reach.pt")
    assert new_ident == loaded.checkpoint_id != ident
    assert loaded.model.config == config and loaded.training["steps"] == 5
    assert all(torch.equal(a, b) for a, b in zip(loaded.model.can.state_dict().values(),
                                                  original.model.can.state_dict().values(), strict=True))
    with pytest.raises(HypersegError, match="only post-process fields may change"):
        with_post_processes(path, tmp_path / "wider.pt", replace(original.config, width=9))
    assert not (tmp_path / "wider.pt").exists()


def test_corrupt_and_missing_files_are_clear_errors(tmp_path, tiny_checkpoint):
    path, _, _ = tiny_checkpoint
    with pytest.raises(NotFoundError, match="checkpoint not found"):
        load_checkpoint(tmp_path / "nope.pt")
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(CorruptFileError, match="damaged"):
        load_checkpoint(truncated)
    other = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, other)
    with pytest.raises(CorruptFileError, match="not a HyperSeg checkpoint"):
        load_checkpoint(other)


def test_future_format_version_is_refused(tmp_path, tiny_checkpoint):
    path, _, _ = tiny_checkpoint
    payload = torch.load(path, weights_only=True)
    payload["version"] = 99
    torch.save(payload, tmp_path / "v99.pt")
    with pytest.raises(CorruptFileError, match="version 99"):
        load_checkpoint(tmp_path / "v99.pt")


def test_other_backbone_fingerprint_is_refused(tmp_path, tiny_checkpoint):
    path, _, _ = tiny_checkpoint
    payload = torch.load(path, weights_only=True)
    payload["backbone"]["fingerprint"] = "0123456789abcdef"
    torch.save(payload, tmp_path / "other_backbone.pt")
    with pytest.raises(BackboneMismatchError, match="fingerprint 0123456789abcdef"):
        load_checkpoint(tmp_path / "other_backbone.pt")


def test_hypotheses_can_be_relabelled_on_export(tmp_path, tiny_checkpoint):
    _, _, original = tiny_checkpoint
    order = [2, 0, 1]
    save_checkpoint(tmp_path / "ranked.pt", original.model, hypothesis_order=order)
    ranked = Predictor.load(tmp_path / "ranked.pt", device="cpu")
    rgb = np.random.default_rng(1).random((30, 40, 3), dtype=np.float32)
    original.set_frame(rgb)
    ranked.set_frame(rgb)
    a, b = original.predict([(5.5, 5.5)]), ranked.predict([(5.5, 5.5)])
    assert np.allclose(b.masks, a.masks[order], atol=1e-6)


def test_a_checkpoint_carries_tuned_backbone_layers_and_their_fingerprint(tmp_path):
    model = Predictor.untrained(seed=3, config=ModelConfig.tiny()).model
    base = model.backbone.fingerprint
    model.backbone.tune_first_convs(1)
    with torch.no_grad():
        model.backbone.features[0].bias.add_(0.05)
    save_checkpoint(tmp_path / "tuned.pt", model)
    record = torch.load(tmp_path / "tuned.pt", weights_only=True)["backbone"]
    assert record["base_fingerprint"] == base != record["fingerprint"] == model.backbone.fingerprint
    loaded = load_checkpoint(tmp_path / "tuned.pt")
    assert loaded.model.backbone.fingerprint == record["fingerprint"]
    assert torch.equal(loaded.model.backbone.features[0].bias, model.backbone.features[0].bias)
    assert "conv1_1 trained" in Predictor.load(tmp_path / "tuned.pt", device="cpu").describe()["backbone"]

    payload = torch.load(tmp_path / "tuned.pt", weights_only=True)
    payload["backbone"]["tuned"]["0.bias"] += 1
    torch.save(payload, tmp_path / "tampered.pt")
    with pytest.raises(CorruptFileError, match=r"not the \w+ it records"):
        load_checkpoint(tmp_path / "tampered.pt")
    payload["backbone"]["base_fingerprint"] = "0123456789abcdef"
    torch.save(payload, tmp_path / "other_base.pt")
    with pytest.raises(BackboneMismatchError, match="fingerprint 0123456789abcdef"):
        load_checkpoint(tmp_path / "other_base.pt")
