"""Which of a click's hypotheses to take: the first, or the most confident? Prints a table, writes JSON.

On the tuning frames, the evaluation clicker's first clicks through ``Predictor.predict`` (each click
placed on hypothesis 0's error, as ``hyperseg eval`` does), with only hypothesis 0 refined (the
default, ``refine=(0,)``) and with all six refined (``refine=None``): the IoU of hypothesis 0, of the
hypothesis with the highest mean confidence 2|p - 0.5| (what ``Prediction.scores`` held for every
hypothesis before unrefined ones scored 0, and what SAM-style code picks by) and of the best of the six
by the ground truth, and how often the most confident one is hypothesis 0. IoU at the frame's size,
foreground = p > 0.49.

    .venv/bin/python -m benchmarks.hypothesis_scores --frames 4 --clicks 5
"""

from __future__ import annotations

import numpy as np

from benchmarks import harness
from hyperseg.model import Predictor
from hyperseg.model.data import usable_samples
from hyperseg.model.evaluation.clicker import PROBABILITY_THRESHOLD, EvalClicker
from hyperseg.model.evaluation.evaluate import EvalConfig, evaluation_frames
from hyperseg.model.evaluation.metrics import iou


def main() -> None:
    parser = harness.tuning_parser("hypothesis_scores", __doc__, frames=4, frames_help="frames per tuning sequence",
                                   results="hypothesis_scores")
    parser.add_argument("--clicks", type=int, default=5, help="clicks per frame")
    args = parser.parse_args()
    predictor = Predictor.load(device="cpu")
    frames = usable_samples(evaluation_frames(EvalConfig(str(args.data), tuple(args.sequences), args.frames,
                                                         baselines=())))
    rows = []
    for name, refine in (("hypothesis 0 refined (the default)", (0,)), ("all six refined", None)):
        first, confident, best, picked_first = [], [], [], 0
        for sample, frame in frames:
            predictor.set_frame(frame.rgb, frame.previous)
            positive, negative, mask = [], [], np.zeros_like(frame.mask)
            for _ in range(args.clicks):
                x, y, is_positive = EvalClicker().next_click(frame.mask, mask)
                (positive if is_positive else negative).append((x, y))
                masks = predictor.predict(positive, negative, refine=refine).masks
                ious = [iou(m > PROBABILITY_THRESHOLD, frame.mask) for m in masks]
                most = int(np.argmax(np.abs(masks - 0.5).mean(axis=(1, 2))))
                first.append(ious[0]), confident.append(ious[most]), best.append(max(ious))
                picked_first += most == 0
                mask = masks[0] > PROBABILITY_THRESHOLD
            print(f"{name}: {sample.name}", flush=True)
        rows.append({"refined": name, "clicks": len(first), "IoU of hypothesis 0": float(np.mean(first)),
                     "IoU of the most confident": float(np.mean(confident)),
                     "IoU of the best of six": float(np.mean(best)), "most confident is hypothesis 0": picked_first})
    harness.print_table(rows, list(rows[0]))
    harness.write_results(args.json, "hypothesis_scores", {
        "checkpoint": predictor.checkpoint_id, "sequences": args.sequences, "frames_per_sequence": args.frames,
        "clicks_per_frame": args.clicks, "frames": [sample.name for sample, _ in frames], "rows": rows,
    })


if __name__ == "__main__":
    main()
