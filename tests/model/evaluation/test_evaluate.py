import json
from dataclasses import replace

import numpy as np
import pytest
from davis_like import write_davis_like

from hyperseg.model import Predictor
from hyperseg.model.config import ModelConfig
from hyperseg.model.data import load_sample, still_samples
from hyperseg.model.evaluation.evaluate import (
    EvalConfig,
    MethodScores,
    evaluate,
    paired_differences,
    score_run,
    write_report,
)
from hyperseg.protocol.errors import InputError

from ..conftest import write_stills_like


def test_one_eval_run_scores_every_method_on_the_same_frames(tmp_path):
    root = write_davis_like(tmp_path / "davis", sequences=("alpha",), frames=3)
    predictor = Predictor.untrained(seed=0, config=ModelConfig.tiny())
    config = EvalConfig(str(root), ("alpha",), frames_per_sequence=2, max_clicks=3, proxy=1.0,
                        baselines=("grabcut", "random_walker"))
    methods = evaluate(predictor, config)
    assert set(methods) == {"hyperseg", "grabcut", "random_walker"}
    for scores in methods.values():
        assert len(scores.ious) == 2 and all(len(run) == 3 for run in scores.ious)
        summary = scores.summary()
        assert 0.0 <= summary["mIoU@1"] <= 1.0 and 1 <= summary["NoC@85"] <= 3
        assert len(scores.boundary_iou) == len(scores.contour_iou) == 2
    assert len(methods["hyperseg"].seconds_per_frame) == 2  # one encode per new frame
    markdown = write_report(predictor, config, methods, tmp_path / "out")
    assert "| random_walker |" in markdown and "not ImageNet-pretrained" in markdown
    report = json.loads((tmp_path / "out" / "eval.json").read_text())
    assert [row["method"] for row in report["summary"]] == ["hyperseg", "grabcut", "random_walker"]
    assert "95% interval over frames" in markdown and "| grabcut |" in markdown.split("interval over frames")[1]
    for row in report["summary"]:  # an interval for every target score the run has (3 clicks: no mIoU@5)
        interval = report["intervals"][row["method"]]
        assert list(interval) == ["NoC@85", "NoC@90", "mIoU@1", "never@85", "harmful clicks"]
        assert all(low - 1e-9 <= row[key] <= high + 1e-9 for key, (low, high) in interval.items())
    assert (tmp_path / "out" / "iou_vs_clicks.png").stat().st_size > 1000


def test_frames_resized_as_larger_plates_are_clicked_and_scored_at_that_size(tmp_path):
    root = write_davis_like(tmp_path / "davis", sequences=("alpha",), frames=2)
    predictor = Predictor.untrained(seed=0, config=ModelConfig.tiny())
    sizes = []
    plain = EvalConfig(str(root), ("alpha",), frames_per_sequence=1, max_clicks=2, proxy=0.5, baselines=())
    grown = EvalConfig(str(root), ("alpha",), frames_per_sequence=1, max_clicks=2, proxy=0.5, baselines=(), scale=2.0)
    original = predictor.encode_frame

    def recording(rgb, *args):
        sizes.append(rgb.shape[:2])
        return original(rgb, *args)

    predictor.encode_frame = recording
    evaluate(predictor, plain), evaluate(predictor, grown)
    assert sizes == [(48, 64), (96, 128)]
    assert grown.describe_frames(1) == "1 frames of alpha, resized 2x"
    with pytest.raises(InputError, match="scale must be > 0, got 0"):
        EvalConfig(str(root), scale=0.0)


def test_a_still_benchmark_is_scored_without_its_unknown_band(tmp_path):
    root = write_stills_like(tmp_path / "grabcut", count=2)
    predictor = Predictor.untrained(seed=0, config=ModelConfig.tiny())
    config = EvalConfig(max_clicks=3, proxy=1.0, baselines=("grabcut",), images=str(root))
    methods = evaluate(predictor, config)
    assert [len(scores.ious) for scores in methods.values()] == [2, 2]
    markdown = write_report(predictor, config, methods, tmp_path / "out")
    assert f"2 still photographs of {root}" in markdown and "first answer re-cut" not in markdown
    recut = Predictor.untrained(seed=0, config=replace(ModelConfig.tiny(), first_click_recut=0.25))
    header = write_report(recut, config, methods, tmp_path / "recut").splitlines()[0]
    assert ", first answer re-cut by GrabCut within 0.25x the mask's radius, later clicks change" in header
    assert json.loads((tmp_path / "out" / "eval.json").read_text())["config"]["images"] == str(root)
    sample = load_sample(still_samples(root)[0])
    inside = sample.mask.astype(np.float32)  # right everywhere but on the unknown band, which it leaves out
    scores = MethodScores("inside")
    score_run(scores, sample.mask, lambda positive, negative, previous: inside, 3, sample.unknown)
    assert scores.ious == [[1.0] * 3] and scores.boundary_iou == [1.0] and scores.contour_iou == [1.0]
    scores = MethodScores("inside, band scored")
    score_run(scores, sample.mask | sample.unknown, lambda positive, negative, previous: inside, 3)
    assert scores.ious[0][0] < 0.9


def test_summary_counts_frames_that_never_reach_85_and_clicks_that_hurt():
    scores = MethodScores("m", ious=[[0.5, 0.9, 0.8, 0.95], [0.2, 0.3, 0.32, 0.84], [0.9, 0.9, 0.9, 0.9]],
                          noc={"0.85": [2, 4, 1], "0.9": [2, 4, 1]}, boundary_iou=[0.0] * 3, contour_iou=[0.0] * 3,
                          seconds_per_click=[0.1])
    summary = scores.summary()
    assert summary["never@85"] == 1  # only the second frame stays below 0.85
    assert summary["harmful clicks"] == 1 / 9  # 0.9 -> 0.8 is the one drop over 0.05 in nine transitions
    low, high = scores.intervals()["never@85"]
    # No draw of three holds the stuck frame 8 times in 27 (over the 2.5% tail), every draw 1 in 27 (also over it).
    assert (low, high) == (0.0, 3.0)


def test_the_first_clicks_area_is_recorded_against_the_objects():
    gt = np.zeros((20, 20), bool)
    gt[5:15, 5:15] = True
    answers = iter([gt[:, :10] * 1.0, gt * 1.0])

    def half_then_whole(positive, negative, previous):
        answer = np.zeros(gt.shape, np.float32)
        step = next(answers)
        answer[:, : step.shape[1]] = step
        return answer

    scores = MethodScores("half, then whole")
    score_run(scores, gt, half_then_whole, 2)
    assert scores.first_click_area == [0.5] and scores.ious == [[0.5, 1.0]]


def test_paired_differences_tell_a_gain_on_every_frame_from_one_on_a_few():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.5, 0.84, (12, 6))  # never at 85% in 6 clicks: NoC@85 6 on every frame
    same = paired_differences(base, base)
    assert all(entry == {"difference": 0.0, "interval": [0.0, 0.0]} for entry in same.values())
    everywhere = base.copy()
    everywhere[:, 4:] = 0.9  # every frame reaches 85% at click 5: one click fewer on each
    gain = paired_differences(base, everywhere)["NoC@85"]
    assert gain == {"difference": -1.0, "interval": [-1.0, -1.0]}
    one_frame = base.copy()
    one_frame[0, 1:] = 0.9  # four clicks fewer on one frame of twelve: a third of a click on average
    lucky = paired_differences(base, one_frame)["NoC@85"]
    assert lucky["difference"] == pytest.approx(-4 / 12) and lucky["interval"][1] == 0.0  # not shown
    with pytest.raises(InputError, match=r"same frames and clicks: \(12, 6\) against \(11, 6\)"):
        paired_differences(base, base[1:])
