"""What the harmful clicks of a ``hyperseg eval`` run did: prints a table, writes JSON.

A harmful click lowers the IoU by more than ``HARMFUL_DROP`` (``evaluate.harmful``). This replays the frames of an
``eval.json`` that had one, with the same checkpoint, clicker, proxy and scale, and describes each
harmful click it meets again: its sign, the IoU before and after, the pixels it moved the right and
the wrong way, and the error region it was placed in (the connected part of the error under the
click) and how much of that region it put right. A click that puts its own region right and moves
many times as many pixels the wrong way flooded; one that leaves its region wrong missed.

    .venv/bin/python -m benchmarks.harmful_clicks --eval docs/report_30/0.5/eval.json \\
        --json benchmarks/results/harmful_clicks_0.5.json
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from statistics import median

import numpy as np
from scipy import ndimage

from benchmarks import harness
from hyperseg.model import Predictor
from hyperseg.model.data import usable_samples
from hyperseg.model.evaluation.clicker import PROBABILITY_THRESHOLD, run_clicker
from hyperseg.model.evaluation.evaluate import (
    THRESHOLDS,
    EvalConfig,
    MethodScores,
    evaluation_frames,
    harmful,
    hyperseg_predict_fn,
)


def eval_config(recorded: dict) -> EvalConfig:
    """The EvalConfig an eval.json's ``config`` records, HyperSeg only."""
    return dataclasses.replace(EvalConfig.recorded(recorded), baselines=())


def harmful_rows(ious: np.ndarray) -> list[int]:
    """Indices of the runs (frames) with a harmful click."""
    return [int(i) for i in np.flatnonzero(harmful(ious).any(axis=1))]


def describe_click(gt: np.ndarray, before: np.ndarray, after: np.ndarray, click: tuple[float, float, bool]) -> dict:
    """What one click moved: ``before``/``after`` (H, W) bool masks, ``gt`` the object."""
    x, y, positive = click
    grown, shrunk = after & ~before, before & ~after
    labels, _ = ndimage.label(gt != before)
    label = labels[int(y), int(x)]
    region = labels == label if label else np.zeros_like(gt)
    wrong, clicked = int((grown & ~gt).sum() + (shrunk & gt).sum()), int(region.sum())
    return {"positive": bool(positive),
            "moved right": int((grown & gt).sum() + (shrunk & ~gt).sum()),
            "moved wrong": wrong, "clicked region": clicked,
            "region put right": int((region & (after == gt)).sum()),
            "wrong per clicked pixel": wrong / max(clicked, 1)}


def replay(predictor: Predictor, config: EvalConfig, frames: list[int]) -> list[dict]:
    """Each harmful click met again on ``frames`` (indices into the run's frames)."""
    loaded = usable_samples(evaluation_frames(config), config.scale)
    found = []
    for index in frames:
        sample, frame = loaded[index]
        masks = []
        predict = hyperseg_predict_fn(predictor, frame.rgb, frame.previous, config.proxy, MethodScores("hyperseg"))

        def recording(positive, negative, previous, predict=predict, masks=masks):
            probability = predict(positive, negative, previous)
            masks.append(probability > PROBABILITY_THRESHOLD)
            return probability

        run = run_clicker(frame.mask, recording, config.max_clicks, THRESHOLDS, unknown=frame.unknown)
        gt = frame.mask.astype(bool)
        for k in np.flatnonzero(harmful([run.ious[:len(run.clicks)]])[0]) + 1:
            found.append({"frame": sample.name, "click": int(k) + 1, "IoU before": run.ious[k - 1],
                          "IoU after": run.ious[k], **describe_click(gt, masks[k - 1], masks[k], run.clicks[k])})
        print(f"replayed {sample.name}", file=sys.stderr, flush=True)
    return found


def main() -> None:
    parser = harness.parser("harmful_clicks", __doc__)
    parser.add_argument("--eval", type=Path, required=True, help="an eval.json of hyperseg eval")
    parser.add_argument("--checkpoint", type=Path, help="the run's checkpoint (default: the bundled one)")
    args = parser.parse_args()
    recorded = json.loads(args.eval.read_text())
    predictor = Predictor.load(args.checkpoint, device="cpu")
    if predictor.checkpoint_id != recorded["predictor"]["checkpoint"]:
        sys.exit(f"harmful_clicks: {args.eval} was run with checkpoint {recorded['predictor']['checkpoint']}, "
                 f"this is {predictor.checkpoint_id}: give its file with --checkpoint")
    ious = np.asarray(recorded["per_frame"]["hyperseg"]["ious"])
    config = eval_config(recorded["config"])
    clicks = replay(predictor, config, harmful_rows(ious))
    harness.print_table(clicks, ["frame", "click", "positive", "IoU before", "IoU after", "moved right",
                                 "moved wrong", "clicked region", "region put right", "wrong per clicked pixel"])
    recorded_count = int(harmful(ious).sum())
    ratios = [c["wrong per clicked pixel"] for c in clicks]
    summary = {"recorded": recorded_count, "met again": len(clicks),
               "positive": sum(c["positive"] for c in clicks),
               "region put right by half or more": sum(2 * c["region put right"] >= c["clicked region"]
                                                       for c in clicks),
               "median wrong per clicked pixel": median(ratios) if ratios else 0.0}
    print(" ".join(f"{k}: {v:.3g}" if isinstance(v, float) else f"{k}: {v}" for k, v in summary.items()))
    harness.write_results(args.json, "harmful_clicks", {"eval": str(args.eval), "checkpoint": predictor.checkpoint_id,
                                                        "summary": summary, "clicks": clicks})


if __name__ == "__main__":
    main()
