"""``hyperseg eval --images``: a still benchmark's folder through the CLI, and its bad inputs."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from hyperseg.cli import main


def write_berkeley_square(root):
    """A Berkeley-layout folder of one photograph: a blue square on grey, and its matte."""
    photo = np.full((36, 48, 3), 40, np.uint8)
    photo[10:26, 12:30] = (30, 150, 230)
    matte = np.zeros((36, 48), np.uint8)
    matte[10:26, 12:30] = 255
    for folder, name, pixels in (("images", "square.jpg", photo), ("masks", "square.png", matte)):
        (root / folder).mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / folder / name), pixels)


def test_eval_images_scores_a_berkeley_layout_folder(tmp_path, checkpoint, capsys):
    write_berkeley_square(tmp_path / "berkeley")
    code = main(["eval", "--checkpoint", str(checkpoint), "--device", "cpu", "--images", str(tmp_path / "berkeley"),
                 "--max-clicks", "2", "--baselines", "grabcut", "--proxy", "1", "--out", str(tmp_path / "out")])
    assert code == 0
    assert "1 still photograph of" in capsys.readouterr().out
    summary = json.loads((tmp_path / "out" / "eval.json").read_text())["summary"]
    assert [row["method"] for row in summary] == ["hyperseg", "grabcut"] and summary[0]["frames"] == 1


@pytest.mark.parametrize("extra, message", [
    ([], "no still images under"),
    (["--video"], "--images runs still photographs and --video whole shots: choose one"),
])
def test_eval_images_refuses_in_one_line(tmp_path, checkpoint, capsys, extra, message):
    (tmp_path / "photos").mkdir()
    code = main(["eval", "--checkpoint", str(checkpoint), "--device", "cpu", "--images", str(tmp_path / "photos"),
                 "--out", str(tmp_path / "out"), *extra])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and message in err[0] and err[0].startswith("hyperseg eval: error:")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("extra, message", [
    (["--scale", "0"], "scale must be > 0, got 0.0"),
    (["--scale", "2", "--video"], "--scale resizes frames clicked one by one"),
])
def test_eval_scale_refuses_in_one_line(tmp_path, checkpoint, capsys, extra, message):
    code = main(["eval", "--checkpoint", str(checkpoint), "--device", "cpu", "--data", str(tmp_path / "davis"),
                 "--out", str(tmp_path / "out"), *extra])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and message in err[0] and err[0].startswith("hyperseg eval: error:")
    assert not (tmp_path / "out").exists()


def test_eval_no_baselines_runs_hyperseg_alone_and_a_bare_baselines_is_refused(tmp_path, checkpoint, capsys):
    """--no-baselines is HyperSeg only; --baselines names the ones to run, so given none it is refused
    (it once meant none, which read as all)."""
    write_berkeley_square(tmp_path / "berkeley")
    common = ["eval", "--checkpoint", str(checkpoint), "--device", "cpu", "--images", str(tmp_path / "berkeley"),
              "--max-clicks", "1", "--proxy", "1"]
    assert main([*common, "--no-baselines", "--out", str(tmp_path / "alone")]) == 0
    summary = json.loads((tmp_path / "alone" / "eval.json").read_text())["summary"]
    assert [row["method"] for row in summary] == ["hyperseg"]
    capsys.readouterr()
    for bad in (["--baselines"], ["--baselines", "graphcut"], ["--baselines", "grabcut", "--no-baselines"]):
        with pytest.raises(SystemExit) as refused:
            main([*common, *bad, "--out", str(tmp_path / "refused")])
        assert refused.value.code == 2 and "--baselines" in capsys.readouterr().err
    assert not (tmp_path / "refused").exists()
