"""``hyperseg fit-tucker``: the frames it fits on are the ones a training config trains on."""

from __future__ import annotations

import json

import pytest
from davis_like import write_davis_like

from hyperseg.cli import main
from hyperseg.model.config import ModelConfig
from hyperseg.model.network.hyperseg_net import HyperSegNet
from hyperseg.model.training.tucker_fit import load_tucker


@pytest.mark.parametrize("held_out, fitted", [([], ["alpha", "beta", "gamma"]), (["beta"], ["alpha", "gamma"])])
def test_fit_tucker_leaves_out_the_configs_held_out_sequences(tmp_path, capsys, held_out, fitted):
    root = write_davis_like(tmp_path / "davis", sequences=("alpha", "beta", "gamma"), frames=2)
    config = tmp_path / "recipe.json"
    config.write_text(json.dumps({"model": "tiny", "data": str(root), "validation": held_out}))
    out = tmp_path / "tucker.pt"
    code = main(["fit-tucker", "--config", str(config), "--stride", "1", "--scale", "1",
                 "--pixels-per-frame", "50", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0 and f"on {2 * len(fitted)} frames of {len(fitted)} sequences" in printed
    assert load_tucker(HyperSegNet(ModelConfig.tiny()), out)["ranks"] == list(ModelConfig.tiny().tucker_ranks)
