"""Check a setting chosen on the tuning frames once on the report frames: prints a table, writes JSON.

A variant of ``benchmarks.tune_post_processes`` that won there is run as ``hyperseg eval`` runs the
report split (``hyperseg.model.data.SPLIT["report"]``, evenly spaced frames, HyperSeg only), so it
can be set beside the bundled default's own report (``default.eval.json``) before it may become the
default. Never choose between variants with it: that is what the tuning frames are for.

    .venv/bin/python -m benchmarks.check_on_report \
        --variants "later clicks change within reach 4x or along the contour 2x"
"""

from __future__ import annotations

import dataclasses
import sys

from benchmarks import harness
from benchmarks.tune_post_processes import VARIANTS, variant_predictor
from hyperseg.model.data import DEFAULT_DAVIS_ROOT, SPLIT
from hyperseg.model.evaluation.evaluate import EvalConfig, evaluate, evaluation_frames


def main() -> None:
    parser = harness.parser("check_on_report", __doc__)
    parser.add_argument("--data", default=str(DEFAULT_DAVIS_ROOT))
    parser.add_argument("--frames", type=int, default=3,
                        help="frames per report sequence (the default's first report: 3)")
    parser.add_argument("--variants", nargs="+", required=True, choices=list(VARIANTS))
    parser.add_argument("--scale", type=float, default=1.0,
                        help="resize the frames first, as hyperseg eval --scale (2.4: 2050x1152 plates)")
    args = parser.parse_args()
    config = EvalConfig(args.data, tuple(SPLIT["report"]), args.frames, baselines=(), scale=args.scale)
    rows = []
    for name in args.variants:
        predictor, proxy = variant_predictor(name)
        scores = evaluate(predictor, dataclasses.replace(config, proxy=proxy))["hyperseg"]
        rows.append({"variant": name, "checkpoint": predictor.checkpoint_id,
                     "click_changes": predictor.describe()["click_changes"], **scores.summary(),
                     "IoU per click per frame": scores.ious})
        print(f"measured {name}", file=sys.stderr, flush=True)
    harness.print_table(rows, ["variant", "NoC@85", "NoC@90", "mIoU@1", "mIoU@5", "mIoU@10", "never@85",
                               "harmful clicks"])
    harness.write_results(args.json, "check_on_report", {
        "sequences": list(config.sequences), "frames_per_sequence": args.frames, "scale": args.scale,
        "frames": [sample.name for sample in evaluation_frames(config)], "rows": rows,
    })


if __name__ == "__main__":
    main()
