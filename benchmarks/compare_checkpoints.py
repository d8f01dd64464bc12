"""Choose between checkpoints on the tuning sequences, each as a user gets it: prints a table, writes JSON.

Each checkpoint (``bundled`` names the shipped default) runs at its default settings through
``hyperseg eval``'s harness on the same tuning frames (``hyperseg.model.data.SPLIT["tuning"]``),
HyperSeg only. Beside the evaluation's scores, ``first-click area`` is the median over the frames
of the first click's mask area over the object's (below 1: the first click under-segments), and
each row carries what the checkpoint says of its training (steps, what it was fine-tuned from, its
training config). Never run this on the report sequences.

    .venv/bin/python -m benchmarks.compare_checkpoints --frames 4 --checkpoints bundled runs/next/model.pt
"""

from __future__ import annotations

import json
import sys

import numpy as np

from benchmarks import harness
from hyperseg.model import Predictor
from hyperseg.model.evaluation.evaluate import EvalConfig, evaluate, evaluation_frames

BUNDLED = "bundled"


def main() -> None:
    parser = harness.tuning_parser("compare_checkpoints", __doc__, frames=4, frames_help="frames per tuning sequence")
    parser.add_argument("--checkpoints", nargs="+", default=[BUNDLED], help=f"paths, or {BUNDLED!r}")
    args = parser.parse_args()
    config = EvalConfig(str(args.data), tuple(args.sequences), args.frames, baselines=())
    rows = []
    for name in args.checkpoints:
        predictor = Predictor.load(None if name == BUNDLED else name, device="cpu")
        scores = evaluate(predictor, config)["hyperseg"]
        training = predictor.training
        rows.append({"checkpoint": name, "id": predictor.checkpoint_id, "steps": training.get("steps"),
                     "init": training.get("init"), **scores.summary(),
                     "first-click area": float(np.median(scores.first_click_area)),
                     "train_config": json.loads(training.get("train_config", "{}")),
                     "IoU per click per frame": scores.ious})
        print(f"measured {name}", file=sys.stderr, flush=True)
    harness.print_table(rows, ["checkpoint", "id", "steps", "NoC@85", "mIoU@1", "mIoU@5", "mIoU@10", "never@85",
                               "harmful clicks", "first-click area"])
    harness.write_results(args.json, "compare_checkpoints", {
        "sequences": args.sequences, "frames_per_sequence": args.frames,
        "frames": [sample.name for sample in evaluation_frames(config)], "rows": rows,
    })


if __name__ == "__main__":
    main()
