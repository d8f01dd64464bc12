"""Choose the default model's post-processes on the tuning sequences: prints a table, writes JSON.

Each variant is the bundled checkpoint (or ``--checkpoint``'s, a candidate for the next default)
with one inference setting changed (post-process fields of ``ModelConfig`` that do not change what
the weights mean, the focus crop, the proxy), run through ``hyperseg eval``'s harness on the same
tuning frames (``hyperseg.model.data.SPLIT["tuning"]``), HyperSeg only. Never run this on the
report sequences.

    .venv/bin/python -m benchmarks.tune_post_processes --frames 2
    .venv/bin/python -m benchmarks.tune_post_processes --frames 4 --checkpoint runs/next/model.pt --variants default
    .venv/bin/python -m benchmarks.tune_post_processes --frames 4 --scale 2.4 --variants default   # as 2K plates
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from benchmarks import harness
from hyperseg.model import Predictor
from hyperseg.model.evaluation.evaluate import EvalConfig, evaluate, evaluation_frames

#: The three scales a post-process is tuned at: a variant name's prefix and its proxy (None: the model's own).
SCALES = (("", None), ("proxy 0.5, ", 0.5), ("proxy 1.0, ", 1.0))

#: name -> (ModelConfig field changes, Predictor keyword changes, proxy)
VARIANTS: dict[str, tuple[dict, dict, float | None]] = {
    "default": ({}, {}, None),
    "no focus crop": ({}, {"focus_crop": False}, None),
    "focus crop 128x128": ({}, {"focus_pixels": 128 * 128}, None),
    "no click enforcement": ({"enforce_clicks": False}, {}, None),
    "later clicks change any pixel": ({"click_changes": "any"}, {}, None),
    "later clicks change their direction": ({"click_changes": "direction"}, {}, None),
    "later clicks change their region": ({"click_changes": "connected"}, {}, None),
    "later clicks change within reach 3x, 2%": ({"click_changes": "reach", "click_reach": 3.0}, {}, None),
    "later clicks change within reach 4x, 2%": ({"click_changes": "reach", "click_reach": 4.0}, {}, None),
    "later clicks change within reach 5x, 2%": ({"click_changes": "reach", "click_reach": 5.0}, {}, None),
    "later clicks change within reach 3x, 5%": ({"click_changes": "reach", "click_reach": 3.0,
                                                  "click_reach_min": 0.05}, {}, None),
    "later clicks change within reach 5x, 5%": ({"click_changes": "reach", "click_reach": 5.0,
                                                  "click_reach_min": 0.05}, {}, None),
    "later clicks change within reach 4x or along the contour 2x": ({"click_changes": "reach", "click_reach": 4.0,
                                                                      "click_reach_along": 2.0}, {}, None),
    "later clicks change within reach 4x or along the contour 3x": ({"click_changes": "reach", "click_reach": 4.0,
                                                                      "click_reach_along": 3.0}, {}, None),
    "first click mirrored too": ({"mirror_first_click": True}, {}, None),
    "band 2%": ({"boundary_band": 0.02}, {}, None),
    "band 3%": ({"boundary_band": 0.03}, {}, None),
    "no band": ({"boundary_band": 0.0}, {}, None),
    "proxy 0.5": ({}, {}, 0.5),
    "proxy 1.0": ({}, {}, 1.0),
    "proxy 0.5, reach 3x": ({"click_changes": "reach", "click_reach": 3.0}, {}, 0.5),
    "proxy 1.0, reach 3x": ({"click_changes": "reach", "click_reach": 3.0}, {}, 1.0),
    "positive clicks reach 3x": ({"click_changes": "reach", "click_reach": 4.0, "click_reach_positive": 3.0}, {}, None),
    "proxy 0.5, positive clicks reach 3x": ({"click_changes": "reach", "click_reach": 4.0, "click_reach_positive": 3.0},
                                            {}, 0.5),
    "proxy 1.0, positive clicks reach 3x": ({"click_changes": "reach", "click_reach": 4.0, "click_reach_positive": 3.0},
                                            {}, 1.0),
    "reach 8x along the image": ({"click_changes": "reach", "click_reach": 8.0, "click_reach_geodesic": True},
                                 {}, None),
    "proxy 0.5, reach 8x along the image": ({"click_changes": "reach", "click_reach": 8.0,
                                             "click_reach_geodesic": True}, {}, 0.5),
    "proxy 1.0, reach 8x along the image": ({"click_changes": "reach", "click_reach": 8.0,
                                             "click_reach_geodesic": True}, {}, 1.0),
    "first click re-cut by GrabCut 0.25": ({"first_click_recut": 0.25}, {}, None),
    "later clicks change no deeper than 1.5x their depth": ({"click_reach_depth": 1.5}, {}, None),
    "proxy 0.5, later clicks change no deeper than 1.5x their depth": ({"click_reach_depth": 1.5}, {}, 0.5),
    "proxy 1.0, later clicks change no deeper than 1.5x their depth": ({"click_reach_depth": 1.5}, {}, 1.0),
    "later clicks change no deeper than 2x their depth": ({"click_reach_depth": 2.0}, {}, None),
    "proxy 0.5, later clicks change no deeper than 2x their depth": ({"click_reach_depth": 2.0}, {}, 0.5),
    "proxy 1.0, later clicks change no deeper than 2x their depth": ({"click_reach_depth": 2.0}, {}, 1.0),
    "later clicks change no deeper than 2x their depth unless its colour agrees": (
        {"click_reach_depth": 2.0, "click_reach_depth_colour": True}, {}, None),
    "proxy 0.5, later clicks change no deeper than 2x their depth unless its colour agrees": (
        {"click_reach_depth": 2.0, "click_reach_depth_colour": True}, {}, 0.5),
    "proxy 1.0, later clicks change no deeper than 2x their depth unless its colour agrees": (
        {"click_reach_depth": 2.0, "click_reach_depth_colour": True}, {}, 1.0),
    **{f"{scale}later clicks change no thicker than {multiple}x their half-width at the click": (
        {"click_reach_thickness": float(multiple)}, {}, proxy) for multiple in (2, 3) for scale, proxy in SCALES},
    **{f"{scale}first click re-cut within 1.0 where its colours overlap by less than 0.6": (
        {"first_click_recut_wide": 1.0, "first_click_recut_overlap": 0.6}, {}, proxy) for scale, proxy in SCALES},
    **{f"{scale}later clicks give the hypothesis that changes least": (
        {"later_click_hypothesis": "least_change"}, {}, proxy) for scale, proxy in SCALES},
    "proxy 0.5, first click re-cut by GrabCut 0.25": ({"first_click_recut": 0.25}, {}, 0.5),
    "proxy 1.0, first click re-cut by GrabCut 0.25": ({"first_click_recut": 0.25}, {}, 1.0),
}


def variant_predictor(name: str, checkpoint: Path | None = None) -> tuple[Predictor, float | None]:
    """The checkpoint (None: the bundled default) with variant ``name``'s settings, and its proxy."""
    fields, keywords, proxy = VARIANTS[name]
    predictor = Predictor.load(checkpoint, device="cpu", **keywords)
    predictor.model.config = dataclasses.replace(predictor.model.config, **fields)
    return predictor, proxy


def main() -> None:
    parser = harness.tuning_parser("tune_post_processes", __doc__, frames=2, frames_help="frames per tuning sequence",
                                   results="default_tuning")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS))
    parser.add_argument("--checkpoint", type=Path, help="a checkpoint other than the bundled default")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="resize the frames first, as hyperseg eval --scale (2.4: 2050x1152 plates)")
    args = parser.parse_args()
    rows = []
    for name in args.variants:
        predictor, proxy = variant_predictor(name, args.checkpoint)
        config = EvalConfig(str(args.data), tuple(args.sequences), args.frames, proxy=proxy, baselines=(),
                            scale=args.scale)
        scores = evaluate(predictor, config)["hyperseg"]
        rows.append({"variant": name, **scores.summary(), "IoU per click per frame": scores.ious})
        print(f"measured {name}", file=sys.stderr, flush=True)
    harness.print_table(rows, ["variant", "NoC@85", "mIoU@1", "mIoU@5", "mIoU@10", "never@85", "harmful clicks"])
    harness.write_results(args.json, "tune_post_processes", {
        "checkpoint": predictor.checkpoint_id, "sequences": args.sequences, "frames_per_sequence": args.frames,
        "scale": args.scale,
        "frames": [sample.name for sample in evaluation_frames(config)], "rows": rows,
    })


if __name__ == "__main__":
    main()
