"""What a focus-crop click loses against the same click on the whole frame, per setting: tuning frames only.

For each tuning frame (``hyperseg.model.data.SPLIT["tuning"]``), the evaluation clicker clicks 20
times against whole-frame predictions. Each later click is then run once more through the focus
crop of every setting, from the same whole-frame prediction before it, and scored (IoU at the
evaluation threshold): the mean IoU of a focus-crop click against the whole-frame click's isolates
what the crop itself costs, free of the different click paths a full evaluation takes. Settings
are ``hyperseg.model.focus``'s context margin and the pixel budget. Never run on report sequences.

    .venv/bin/python -m benchmarks.focus_crop_tuning [--sequences cows scooter-black] [--frames 2]
"""

from __future__ import annotations

import numpy as np

from benchmarks import harness
from hyperseg.model import Predictor, focus
from hyperseg.model.data import usable_samples
from hyperseg.model.evaluation.clicker import PROBABILITY_THRESHOLD, run_clicker
from hyperseg.model.evaluation.evaluate import EvalConfig, evaluation_frames
from hyperseg.model.evaluation.metrics import iou

#: name -> (context margin, pixel budget)
SETTINGS = {
    "margin 0.25, 256x256": (0.25, 256 * 256),
    "margin 0.5, 362x362": (0.5, 2 * 256 * 256),
    "margin 1.0, 512x512": (1.0, 512 * 512),
}


def main() -> None:
    args = harness.tuning_parser("focus_crop_tuning", __doc__, frames=2, frames_help="frames per sequence").parse_args()
    whole = Predictor.load(device="cpu", focus_crop=False)
    focused = {name: Predictor.load(device="cpu", focus_pixels=pixels) for name, (_, pixels) in SETTINGS.items()}
    config = EvalConfig(str(args.data), tuple(args.sequences), args.frames)
    whole_ious: list[float] = []
    focus_ious: dict[str, list[float]] = {name: [] for name in SETTINGS}
    for sample, frame in usable_samples(evaluation_frames(config)):
        encoding = whole.encode_frame(frame.rgb, frame.previous)
        history = []

        def predict(positive, negative, _previous, encoding=encoding, history=history):
            history.append(whole.predict_encoded(encoding, positive, negative))
            return history[-1].masks[0]

        run = run_clicker(frame.mask, predict, 20)
        for before, after, click_count in zip(history, history[1:], range(2, len(history) + 1), strict=False):
            positive = [(x, y) for x, y, sign in run.clicks[:click_count] if sign]
            negative = [(x, y) for x, y, sign in run.clicks[:click_count] if not sign]
            whole_ious.append(iou(after.masks[0] > PROBABILITY_THRESHOLD, frame.mask))
            for name, (margin, _) in SETTINGS.items():
                focus.CONTEXT_MARGIN = margin
                result = focused[name].predict_encoded(encoding, positive, negative, previous=before)
                focus_ious[name].append(iou(result.masks[0] > PROBABILITY_THRESHOLD, frame.mask))
        print(sample.name, f"whole {np.mean(whole_ious):.4f}",
              *(f"{name}: {np.mean(v):.4f}" for name, v in focus_ious.items()), flush=True)
    rows = [{"setting": "whole frame", "mean_iou": float(np.mean(whole_ious))}]
    rows += [{"setting": name, "mean_iou": float(np.mean(v)),
              "loss_against_whole_frame": float(np.mean(whole_ious) - np.mean(v))} for name, v in focus_ious.items()]
    harness.print_table(rows)
    harness.write_results(args.json, "focus_crop_tuning", {
        "checkpoint": whole.checkpoint_id, "sequences": args.sequences, "frames_per_sequence": args.frames,
        "later_clicks": len(whole_ious), "rows": rows})


if __name__ == "__main__":
    main()
