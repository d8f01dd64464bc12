"""``hyperseg average``: snapshots of one run into one checkpoint, and the one line it refuses with."""

from __future__ import annotations

from hyperseg.cli import main
from hyperseg.model import Predictor


def test_average_writes_a_checkpoint_that_names_what_it_averaged(tmp_path, checkpoint, capsys):
    out = tmp_path / "avg.pt"
    assert main(["average", str(checkpoint), str(checkpoint), "--out", str(out)]) == 0
    assert f"averaged 2 checkpoints into {out}" in capsys.readouterr().out
    averaged = Predictor.load(out, device="cpu")
    ident = Predictor.load(checkpoint).checkpoint_id
    assert [entry["checkpoint"] for entry in averaged.training["averaged"]] == [ident, ident]


def test_average_of_one_checkpoint_is_refused_in_one_line(tmp_path, checkpoint, capsys):
    code = main(["average", str(checkpoint), "--out", str(tmp_path / "avg.pt")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "at least two" in err[0] and err[0].startswith("hyperseg average: ")
    assert not (tmp_path / "avg.pt").exists()
