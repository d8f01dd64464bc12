import json

from hyperseg.model import Predictor
from hyperseg.model.config import ModelConfig
from hyperseg.model.evaluation.evaluate import EvalConfig, evaluate, write_report

from ..conftest import write_davis_like


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
    assert (tmp_path / "out" / "iou_vs_clicks.png").stat().st_size > 1000
