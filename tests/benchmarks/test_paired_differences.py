"""benchmarks.paired_differences on result files as the tuning benchmarks write them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


def result_file(path: Path, frames: list[str], rows: dict[str, list[list[float]]]) -> Path:
    path.write_text(json.dumps({"frames": frames, "rows": [{"variant": name, "IoU per click per frame": ious}
                                                             for name, ious in rows.items()]}))
    return path


def run(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmarks.paired_differences", *arguments,
                           "--json", str(tmp_path / "out.json")], cwd=REPOSITORY, capture_output=True, text=True)


def test_each_candidate_is_set_against_the_base_on_the_same_frames(tmp_path):
    frames = ["a/0", "a/1", "b/0"]
    base = result_file(tmp_path / "base.json", frames, {"default": [[0.5, 0.9], [0.6, 0.7], [0.9, 0.95]]})
    other = result_file(tmp_path / "other.json", frames, {"better": [[0.9, 0.9], [0.9, 0.9], [0.9, 0.95]]})
    done = run(tmp_path, "--base", str(base), "default", "--candidate", str(other), "better")
    assert done.returncode == 0, done.stderr
    row, = json.loads((tmp_path / "out.json").read_text())["rows"]
    assert row["candidate"] == [str(other), "better"] and row["frames"] == 3
    assert row["NoC@85"]["difference"] == pytest.approx(-2 / 3)  # frame a/0: 2 -> 1, a/1: 2 (never) -> 1
    assert row["never@85"]["difference"] == -1 and row["mIoU@1"]["difference"] > 0


def test_runs_of_other_frames_are_refused_in_one_line(tmp_path):
    base = result_file(tmp_path / "base.json", ["a/0", "a/1"], {"default": [[0.5, 0.9], [0.6, 0.7]]})
    other = result_file(tmp_path / "other.json", ["a/0", "a/2"], {"x": [[0.9, 0.9], [0.9, 0.9]]})
    done = run(tmp_path, "--base", str(base), "default", "--candidate", str(other), "x")
    assert done.returncode != 0 and "ran other frames than the base" in done.stderr.strip().splitlines()[-1]
    done = run(tmp_path, "--base", str(base), "missing", "--candidate", str(other), "x")
    assert "has no row 'missing'; it has ['default']" in done.stderr


def test_an_eval_json_names_its_frames_as_hyperseg_eval_picked_them(tmp_path):
    """A report of hyperseg eval pairs with a check_on_report row of the same frames (frame files only listed)."""
    for stem in ("00000", "00001", "00002"):
        for folder, suffix in (("JPEGImages", "jpg"), ("Annotations", "png")):
            path = tmp_path / "davis" / folder / "480p" / "alpha" / f"{stem}.{suffix}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
    report = tmp_path / "eval.json"
    report.write_text(json.dumps({
        "config": {"data": str(tmp_path / "davis"), "sequences": ["alpha"], "frames_per_sequence": 2, "proxy": None},
        "per_frame": {"hyperseg": {"ious": [[0.5, 0.9], [0.6, 0.7]]}}}))
    checked = result_file(tmp_path / "check.json", ["alpha/00000", "alpha/00002"], {"x": [[0.9, 0.9], [0.6, 0.7]]})
    done = run(tmp_path, "--base", str(report), "hyperseg", "--candidate", str(checked), "x")
    assert done.returncode == 0, done.stderr
    row, = json.loads((tmp_path / "out.json").read_text())["rows"]
    assert row["NoC@85"]["difference"] == -0.5 and row["mIoU@1"]["difference"] == pytest.approx(0.2)


def test_only_frames_whose_base_first_click_scored_above_are_paired(tmp_path):
    frames = ["a/0", "a/1", "b/0"]
    base = result_file(tmp_path / "base.json", frames, {"grabcut": [[0.8, 0.9], [0.3, 0.4], [0.7, 0.95]]})
    other = result_file(tmp_path / "other.json", frames, {"hyperseg": [[0.5, 0.9], [0.9, 0.9], [0.6, 0.7]]})
    done = run(tmp_path, "--base", str(base), "grabcut", "--candidate", str(other), "hyperseg",
               "--base-first-click-above", "0.6")
    assert done.returncode == 0, done.stderr
    measured = json.loads((tmp_path / "out.json").read_text())
    row, = measured["rows"]
    assert measured["base first click above"] == 0.6
    assert row["frames"] == 2 and row["frame names"] == ["a/0", "b/0"]
    assert row["scores"]["base"]["mIoU@1"] == pytest.approx(0.75) and row["scores"]["candidate"]["mIoU@1"] == 0.55
    assert row["mIoU@1"]["difference"] == pytest.approx(-0.2)
    done = run(tmp_path, "--base", str(base), "grabcut", "--candidate", str(other), "hyperseg",
               "--base-first-click-above", "0.9")
    assert done.returncode != 0 and "no frame's base run scored above 0.9" in done.stderr.strip().splitlines()[-1]
