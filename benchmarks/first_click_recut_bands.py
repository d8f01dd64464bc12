"""Choose the first click's re-cut by GrabCut on the tuning frames: prints a table, writes JSON.

The first click alone, as the evaluation clicker places it (the deepest point of the object), on
each tuning frame: the bundled checkpoint's answer without the re-cut, then that same run-grid
answer re-cut by ``hyperseg.model.cues.colour_recut`` at each band (multiples of the mask's
equivalent radius), with GrabCut on the run grid itself or at ``RECUT_PIXELS``; IoU at full
resolution. The whole click runs of a chosen band are ``benchmarks.tune_post_processes``'s. Never run
this on the report sequences.

    .venv/bin/python -m benchmarks.first_click_recut_bands --frames 8
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch
import torch.nn.functional as F

from benchmarks import harness
from hyperseg.model import Predictor
from hyperseg.model.cues.colour_recut import RECUT_PIXELS, recut_with_grabcut
from hyperseg.model.data import usable_samples
from hyperseg.model.evaluation.clicker import PROBABILITY_THRESHOLD, EvalClicker
from hyperseg.model.evaluation.evaluate import EvalConfig, evaluation_frames
from hyperseg.model.evaluation.metrics import iou

BANDS = (0.1, 0.25, 0.5, 1.0)


def main() -> None:
    parser = harness.tuning_parser("first_click_recut_bands", __doc__, frames=8,
                                   frames_help="frames per tuning sequence", results="first_click_recut_bands")
    parser.add_argument("--proxies", nargs="+", type=float, default=[0.0, 0.5],
                        help="run scales (0: the model's own)")
    args = parser.parse_args()
    predictor = Predictor.load(device="cpu")
    predictor.model.config = dataclasses.replace(predictor.model.config, first_click_recut=0.0)
    config = EvalConfig(str(args.data), tuple(args.sequences), args.frames, baselines=())
    frames = usable_samples(evaluation_frames(config))
    settings = [("network", None, None)] + [(f"band {band:g}, {grid}", band, grid)
                                            for band in BANDS for grid in ("run grid", "640x360")]
    rows = []
    for proxy in args.proxies:
        ious: dict[str, list[float]] = {name: [] for name, _, _ in settings}
        for sample, frame in frames:
            x, y, _ = EvalClicker().next_click(frame.mask, np.zeros_like(frame.mask))
            encoding = predictor.encode_frame(frame.rgb, frame.previous, proxy or None)
            answer = predictor.predict_encoded(encoding, [(x, y)], [])
            (h, w), (full_h, full_w) = encoding.run_size, encoding.frame_size
            click = [(x * w / full_w, y * h / full_h)]
            for name, band, grid in settings:
                run_masks = answer.focus.run_masks if band is None else recut_with_grabcut(
                    answer.focus.run_masks, encoding.rgb, click, [], band, [0],
                    pixels=h * w if grid == "run grid" else RECUT_PIXELS)
                full = F.interpolate(torch.from_numpy(run_masks[:1])[None], size=(full_h, full_w), mode="bilinear",
                                     align_corners=False)[0, 0].numpy()
                ious[name].append(iou(full > PROBABILITY_THRESHOLD, frame.mask))
            print(f"proxy {proxy or 'own'}: {sample.name}", flush=True)
        for name, values in ious.items():
            rows.append({"proxy": proxy or None, "setting": name, "mIoU@1": float(np.mean(values)),
                         "IoU@1 per frame": values})
    harness.print_table([{**row, "proxy": row["proxy"] or "own"} for row in rows], ["proxy", "setting", "mIoU@1"])
    harness.write_results(args.json, "first_click_recut_bands", {
        "checkpoint": predictor.checkpoint_id, "sequences": args.sequences, "frames_per_sequence": args.frames,
        "frames": [sample.name for sample, _ in frames], "rows": rows,
    })


if __name__ == "__main__":
    main()
