"""benchmarks.frame_intervals on an eval.json as hyperseg eval writes it: its rows are the report's intervals."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from hyperseg.model.evaluation.evaluate import MethodScores

REPOSITORY = Path(__file__).resolve().parents[2]


def test_every_file_gets_the_intervals_its_report_would_have(tmp_path):
    ious = [[0.5, 0.9, 0.8, 0.95, 0.95], [0.2, 0.3, 0.32, 0.84, 0.84], [0.9] * 5, [0.6, 0.7, 0.8, 0.9, 0.9]]
    scores = MethodScores("hyperseg", ious=ious, noc={"0.85": [2, 5, 1, 4], "0.9": [2, 5, 1, 4]},
                          boundary_iou=[0.5] * 4, contour_iou=[0.2] * 4, seconds_per_click=[0.1])
    report = tmp_path / "eval.json"
    report.write_text(json.dumps({"per_frame": {"hyperseg": asdict(scores)}}))
    out = tmp_path / "out.json"
    subprocess.run([sys.executable, "-m", "benchmarks.frame_intervals", str(report), "--json", str(out)],
                   cwd=REPOSITORY, check=True, capture_output=True)
    row, = json.loads(out.read_text())["rows"]
    assert row["frames"] == 4 and row["scores"]["NoC@85"] == 3.0 and row["scores"]["mIoU@5"] == pytest.approx(0.8975)
    assert row["intervals"] == {key: list(interval) for key, interval in scores.intervals().items()}
    assert row["intervals"]["never@85"] == [0.0, 3.0]  # the stuck frame drawn 3 or 4 times of 4: 5% of draws
