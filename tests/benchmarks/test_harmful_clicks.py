"""benchmarks.harmful_clicks: which runs had a harmful click, what a click moved, and the EvalConfig an
eval.json records."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from benchmarks.harmful_clicks import describe_click, eval_config, harmful_rows

ROOT = Path(__file__).parents[2]


def test_harmful_rows_are_the_runs_with_a_drop_over_the_threshold():
    ious = np.array([[0.5, 0.7, 0.64, 0.9], [0.5, 0.7, 0.66, 0.9], [0.9, 0.8, 0.9, 0.9]])
    assert harmful_rows(ious) == [0, 2]


def test_a_flood_is_its_region_put_right_and_more_moved_the_wrong_way():
    gt = np.zeros((20, 30), bool)
    gt[5:15, 5:15] = True
    before = gt.copy()
    before[5:15, 12:15] = False  # the error: 30 pixels of the object missed
    after = gt.copy()
    after[8:12, 15:25] = True  # put right, and poured 40 pixels into the background
    moved = describe_click(gt, before, after, (13.5, 9.5, True))
    assert moved == {"positive": True, "moved right": 30, "moved wrong": 40, "clicked region": 30,
                     "region put right": 30, "wrong per clicked pixel": 40 / 30}


def test_the_eval_config_is_what_the_report_recorded_without_baselines():
    recorded = json.loads((ROOT / "docs/report_30/0.5/eval.json").read_text())["config"]
    config = eval_config(recorded)
    assert config.proxy == 0.5 and config.baselines == () and config.sequences == tuple(recorded["sequences"])
    written = json.loads(json.dumps(dataclasses.asdict(dataclasses.replace(config, baselines=recorded["baselines"]))))
    assert written == {k: v for k, v in recorded.items() if k != "feed_previous_mask"}
    assert recorded["feed_previous_mask"] is False  # a retired setting, off in every committed run
