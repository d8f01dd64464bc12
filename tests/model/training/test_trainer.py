import json
from dataclasses import replace

import numpy as np
import pytest
import torch
from davis_like import write_davis_like
from scipy.ndimage import binary_erosion

from hyperseg.cli import main
from hyperseg.model import Predictor
from hyperseg.model.checkpoint import load_checkpoint, save_checkpoint
from hyperseg.model.config import CONFIGS, ModelConfig
from hyperseg.model.data import davis_samples
from hyperseg.model.network.hyperseg_net import HyperSegNet
from hyperseg.model.training import feature_cache
from hyperseg.model.training.examples import ExampleConfig
from hyperseg.model.training.feature_cache import compressed_features
from hyperseg.model.training.trainer import TrainConfig, Trainer
from hyperseg.model.training.tucker_fit import fit_tucker, load_tucker
from hyperseg.protocol.errors import InputError


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("davis")
    write_davis_like(root)
    tucker = root / "tucker.pt"
    model = HyperSegNet(ModelConfig.tiny())
    report = fit_tucker(model, davis_samples(root, ["alpha", "beta"], stride=2), tucker, scale=1.0, per_frame=200)
    assert report["frames"] == 4 and len(report["relative_error"]) == 5
    return root, tucker


def config_for(root, **overrides):
    base = TrainConfig(model="tiny", data=str(root), sequences=("alpha", "beta"), validation=(), frame_stride=1,
                       scale=1.0, steps=4, batch=2, checkpoint_every=2,
                       examples=ExampleConfig(crop=32, iterative_probability=0.5, scale_range=(0.75, 1.25),
                                              flip_probability=0.5, own_error_clicks=2))
    return replace(base, **overrides)


def test_tucker_factors_round_trip_and_check_ranks(dataset):
    _, tucker = dataset
    model = HyperSegNet(ModelConfig.tiny())
    report = load_tucker(model, tucker)
    assert report["ranks"] == [4, 4, 4, 4, 4]
    with pytest.raises(InputError, match="ranks"):
        load_tucker(HyperSegNet(ModelConfig.paper()), tucker)


def test_training_steps_reduce_nothing_to_nan_and_write_artifacts(dataset, tmp_path):
    root, tucker = dataset
    trainer = Trainer(config_for(root), tmp_path / "run", tucker=tucker)
    trainer.run()
    assert trainer.step == 4
    log = [json.loads(line) for line in (tmp_path / "run" / "train_log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log] == [1, 2, 3, 4]
    assert all(r["loss"] > 0 for r in log)
    assert (tmp_path / "run" / "training_curve.png").stat().st_size > 1000
    predictor = Predictor.load(tmp_path / "run" / "model.pt", device="cpu")
    assert predictor.training["steps"] == 4


def test_resume_after_interruption_continues_exactly(dataset, tmp_path):
    root, tucker = dataset
    straight = Trainer(config_for(root), tmp_path / "straight", tucker=tucker)
    straight.run()

    first = Trainer(config_for(root, steps=2), tmp_path / "resumed", tucker=tucker)
    first.run()
    assert first.step == 2
    second = Trainer(config_for(root), tmp_path / "resumed", tucker=tucker)
    second.resume()
    assert second.step == 2
    second.run()
    for key, value in straight.model.can.state_dict().items():
        assert torch.equal(value, second.model.can.state_dict()[key]), key
    assert [h["loss"] for h in straight.history] == [h["loss"] for h in second.history]


def test_resume_refuses_another_config(dataset, tmp_path):
    root, tucker = dataset
    Trainer(config_for(root, steps=2), tmp_path / "run", tucker=tucker).run()
    other = Trainer(config_for(root, lr=0.5), tmp_path / "run", tucker=tucker)
    with pytest.raises(InputError, match="another training config"):
        other.resume()


def test_init_fine_tunes_a_checkpoint_whose_weights_fit_the_config(dataset, tmp_path):
    root, tucker = dataset
    Trainer(config_for(root, steps=2), tmp_path / "base", tucker=tucker).run()
    start = load_checkpoint(tmp_path / "base" / "model.pt").model
    tuned = Trainer(config_for(root, steps=1), tmp_path / "tuned", init=tmp_path / "base" / "model.pt")
    for key, value in start.can.state_dict().items():
        assert torch.equal(value, tuned.model.can.state_dict()[key]), key
    tuned.run()
    assert not torch.equal(start.can.last.weight, tuned.model.can.last.weight)
    base_id = load_checkpoint(tmp_path / "base" / "model.pt").checkpoint_id
    said = Predictor.load(tmp_path / "tuned" / "model.pt", device="cpu").training
    assert said["steps"] == 1 and said["init"] == {"checkpoint": base_id, "steps": 2, "init": None}
    again = Trainer(config_for(root, steps=3), tmp_path / "tuned", init=tmp_path / "tuned" / "model.pt")
    again.resume()
    again.run()
    assert Predictor.load(tmp_path / "tuned" / "model.pt", device="cpu").training["init"] == said["init"]

    other = HyperSegNet(replace(ModelConfig.tiny(), extra_context=("previous_mask",)))
    save_checkpoint(tmp_path / "other.pt", other, {})
    with pytest.raises(InputError, match="do not fit"):
        Trainer(config_for(root), tmp_path / "refused", init=tmp_path / "other.pt")


def test_backbone_convs_train_the_first_convolutions_and_the_checkpoint_carries_them(dataset, tmp_path):
    root, tucker = dataset
    frozen = HyperSegNet(ModelConfig.tiny()).backbone
    trainer = Trainer(config_for(root, steps=2, backbone_convs=2, backbone_lr=1e-3), tmp_path / "run", tucker=tucker)
    trainer.run()
    backbone = trainer.model.backbone
    assert not torch.equal(backbone.features[0].weight, frozen.features[0].weight)  # conv1_1
    assert not torch.equal(backbone.features[2].weight, frozen.features[2].weight)  # conv1_2
    assert torch.equal(backbone.features[5].weight, frozen.features[5].weight)  # conv2_1: frozen
    entries = list((tmp_path / "run" / "features").glob("*.pt"))
    assert entries and all(torch.load(e, weights_only=True)["maps"] == [] for e in entries)  # images only
    loaded = Predictor.load(tmp_path / "run" / "model.pt", device="cpu")
    assert loaded.model.backbone.fingerprint == backbone.fingerprint != frozen.fingerprint
    assert f"conv1_1..conv1_2 trained, fingerprint {backbone.fingerprint}" in loaded.describe()["backbone"]

    resumed = Trainer(config_for(root, steps=3, backbone_convs=2, backbone_lr=1e-3), tmp_path / "run", tucker=tucker)
    resumed.resume()
    assert torch.equal(resumed.model.backbone.features[2].weight, backbone.features[2].weight)
    straight = Trainer(config_for(root, steps=3, backbone_convs=2, backbone_lr=1e-3), tmp_path / "straight",
                       tucker=tucker)
    straight.run()
    resumed.run()
    assert torch.equal(resumed.model.backbone.features[0].weight, straight.model.backbone.features[0].weight)
    assert [h["loss"] for h in resumed.history] == [h["loss"] for h in straight.history]

    continued = Trainer(config_for(root, steps=1), tmp_path / "continued", init=tmp_path / "run" / "model.pt")
    assert continued.model.backbone.fingerprint == straight.model.backbone.fingerprint


def test_a_run_written_before_newer_settings_still_resumes(dataset, tmp_path):
    root, tucker = dataset
    plain = config_for(root, steps=2, examples=ExampleConfig(crop=32))
    Trainer(plain, tmp_path / "run", tucker=tucker).run()
    state_path = tmp_path / "run" / "state.pt"
    state = torch.load(state_path, weights_only=True)
    written = json.loads(state["train_config"])
    del written["examples"]["flip_probability"], written["examples"]["scale_range"]
    state["train_config"] = json.dumps(written)
    torch.save(state, state_path)
    resumed = Trainer(replace(plain, steps=3), tmp_path / "run", tucker=tucker)
    resumed.resume()
    assert resumed.step == 2
    flipping = Trainer(replace(plain, examples=ExampleConfig(crop=32, flip_probability=0.5)), tmp_path / "run",
                       tucker=tucker)
    with pytest.raises(InputError, match="another training config"):
        flipping.resume()


@pytest.mark.parametrize("seed", range(3))
def test_composites_paste_another_sequences_object_and_run_the_backbone_on_them(dataset, tmp_path, seed):
    """write_davis_like colours alpha's disk (0.9, 0.6, 0.2) and beta's (0.9, 0.7, 0.2)."""
    root, tucker = dataset
    trainer = Trainer(config_for(root, examples=ExampleConfig(crop=32, composite_probability=1.0)), tmp_path / "run",
                      tucker=tucker)
    assert {trainer.draw_frame(np.random.default_rng(n), other_than="alpha")[0].source for n in range(8)} == {"beta"}
    background, _ = trainer.draw_frame(np.random.default_rng(seed))
    composite = trainer.draw_example_frame(np.random.default_rng(seed), 1.0)
    donor_green = {"alpha": 0.7, "beta": 0.6}[background.source]
    inside = binary_erosion(composite.mask, iterations=2)
    assert inside.sum() > 50 and abs(np.median(composite.rgb[inside][:, 1]) - donor_green) < 0.04
    expected = compressed_features(trainer.model, composite.rgb)
    assert len(composite.maps) == len(expected)
    for got, want in zip(composite.maps, expected, strict=True):
        assert torch.equal(got, want)


def test_training_with_composites_takes_finite_steps(dataset, tmp_path):
    root, tucker = dataset
    trainer = Trainer(config_for(root, examples=ExampleConfig(crop=32, composite_probability=0.5)), tmp_path / "run",
                      tucker=tucker)
    trainer.run()
    assert trainer.step == 4 and all(np.isfinite(h["loss"]) for h in trainer.history)


def test_extra_scales_train_on_features_of_frames_run_at_each_scale(dataset, tmp_path):
    root, tucker = dataset
    examples = ExampleConfig(crop=16, scale_range=(0.75, 1.25), own_error_clicks=2)  # fits a 24x32 frame
    trainer = Trainer(config_for(root, extra_scales=(0.5,), examples=examples), tmp_path / "run", tucker=tucker)
    assert trainer.draw_frame(np.random.default_rng(0), scale=0.5)[1].size == (24, 32)
    assert trainer.draw_frame(np.random.default_rng(0))[1].size == (48, 64)
    trainer.run()
    cached = [torch.load(path, weights_only=True) for path in (tmp_path / "run" / "features").glob("*.pt")]
    assert {tuple(entry["rgb"].shape) for entry in cached} == {(24, 32, 3), (48, 64, 3)}
    for entry in cached:  # each scale's features come from the backbone run on the frame at that scale
        for got, want in zip(entry["maps"], compressed_features(trainer.model, entry["rgb"].numpy()), strict=True):
            assert torch.equal(got, want)
    assert trainer.step == 4 and all(np.isfinite(h["loss"]) for h in trainer.history)


def write_shot_with_empty_roto(folder):
    """A studio's shot as EXR plate + roto patterns, three frames; frame 2's roto is empty (a bad sample)."""
    from hyperseg.imageio import write_image

    rng = np.random.default_rng(0)
    for frame in range(1, 4):
        rgb = rng.uniform(0, 0.3, (40, 56, 3)).astype(np.float32)
        alpha = np.zeros((40, 56, 1), np.float32)
        if frame != 2:
            alpha[10:30, 15:40] = 1.0
            rgb[10:30, 15:40] = 0.9
        write_image(folder / f"plate.{frame:04d}.exr", rgb, ("R", "G", "B"))
        write_image(folder / f"roto.{frame:04d}.exr", alpha, ("A",))
    return {"plate": str(folder / "plate.%04d.exr"), "roto": str(folder / "roto.####.exr")}


def test_trains_on_plate_and_roto_pairs_skipping_bad_frames(dataset, tmp_path, capsys):
    """An empty roto frame is reported once and never trained on."""
    _, tucker = dataset
    config = config_for("", data="", sequences=(), shots=(write_shot_with_empty_roto(tmp_path),), steps=3)
    trainer = Trainer(config, tmp_path / "run", tucker=tucker)
    assert len(trainer.samples) == 3
    trainer.run()
    assert trainer.step == 3 and trainer.bad_samples == {1}
    assert capsys.readouterr().err.count("the mask is empty") == 1
    assert Predictor.load(tmp_path / "run" / "model.pt", device="cpu").training["frames"] == 2


def test_resume_after_a_bad_sample_draws_what_an_uninterrupted_run_draws(dataset, tmp_path):
    """The resumed run no longer knows the bad frame; its steps still draw the frames the straight run drew."""
    _, tucker = dataset
    config = config_for("", data="", sequences=(), shots=(write_shot_with_empty_roto(tmp_path),), steps=6)
    straight = Trainer(config, tmp_path / "straight", tucker=tucker)
    straight.run()
    first = Trainer(replace(config, steps=2), tmp_path / "resumed", tucker=tucker)
    first.run()
    assert first.bad_samples == {1}  # met before the interruption
    second = Trainer(config, tmp_path / "resumed", tucker=tucker)
    second.resume()
    second.run()
    assert [h["loss"] for h in second.history] == [h["loss"] for h in straight.history]


def test_a_feature_cache_kept_under_a_size_trains_what_an_unlimited_one_does(dataset, tmp_path, monkeypatch):
    root, tucker = dataset
    passes = []  # one per frame the backbone runs on for the cache
    backbone_pass = feature_cache.compressed_features
    monkeypatch.setattr(feature_cache, "compressed_features", lambda *a: passes.append(1) or backbone_pass(*a))
    unlimited = Trainer(config_for(root), tmp_path / "unlimited", tucker=tucker)
    unlimited.run()
    entries = list((tmp_path / "unlimited" / "features").glob("*.pt"))
    assert len(passes) == len(entries)
    cap = 2 * max(entry.stat().st_size for entry in entries)
    capped = Trainer(config_for(root), tmp_path / "capped", tucker=tucker, cache_max_bytes=cap)
    capped.run()
    kept = list((tmp_path / "capped" / "features").glob("*.pt"))
    assert len(kept) < len(entries) and sum(entry.stat().st_size for entry in kept) <= cap
    assert len(passes) > 2 * len(entries), "a frame evicted and drawn again was recomputed"
    assert [h["loss"] for h in capped.history] == [h["loss"] for h in unlimited.history]


def test_the_train_command_refuses_a_cache_size_that_is_not_positive(dataset, tmp_path, capsys):
    root, tucker = dataset
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"model": "tiny", "data": str(root), "steps": 1}))
    assert main(["train", "--config", str(config), "--tucker", str(tucker), "--run", str(tmp_path / "run"),
                 "--cache-gb", "0"]) != 0
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith("--cache-gb must be positive, got 0")
    assert not (tmp_path / "run").exists()


def test_added_context_trains_only_the_new_cue_from_a_checkpoint_without_it(dataset, tmp_path, monkeypatch):
    """A fine-tune onto a config with one more cue starts as the checkpoint answers, and with
    trainable "added_context" only the new channel's weights move: where the cue is zero (a first
    click's previous mask) the exported network answers exactly as its start did."""
    root, tucker = dataset
    fed = replace(ModelConfig.tiny(), name="tiny_previous_mask", extra_context=("previous_mask",))
    monkeypatch.setitem(CONFIGS, "tiny_previous_mask", lambda: fed)
    Trainer(config_for(root, steps=2), tmp_path / "base", tucker=tucker).run()
    start = load_checkpoint(tmp_path / "base" / "model.pt").model
    tuned = Trainer(config_for(root, model="tiny_previous_mask", trainable="added_context", steps=3, lr=0.05,
                               examples=ExampleConfig(crop=32, iterative_probability=1.0, own_error_clicks=2)),
                    tmp_path / "tuned", init=tmp_path / "base" / "model.pt")
    tuned.run()
    exported = load_checkpoint(tmp_path / "tuned" / "model.pt").model
    assert exported.config.extra_context == ("previous_mask",)
    for old, new in zip(start.can.convolutions(), exported.can.convolutions(), strict=True):
        assert torch.equal(new.weight[:, :-1], old.weight) and torch.equal(new.bias, old.bias)
    assert any(new.weight[:, -1:].abs().sum() > 0 for new in exported.can.convolutions())
    compressed = torch.rand(1, start.config.compressed_channels, 10, 10)
    context = torch.rand(1, start.config.context_channels, 10, 10)
    first_click = exported.can(compressed, torch.cat([context, torch.zeros(1, 1, 10, 10)], dim=1))
    assert torch.equal(first_click, start.can(compressed, context))

    with pytest.raises(InputError, match="needs --init"):
        Trainer(config_for(root, model="tiny_previous_mask", trainable="added_context"), tmp_path / "scratch",
                tucker=tucker)
    with pytest.raises(InputError, match="choose 'all' or 'added_context'"):
        Trainer(config_for(root, trainable="some"), tmp_path / "unknown", tucker=tucker)
