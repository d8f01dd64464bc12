"""Choose the default model's post-processes on the tuning sequences: prints a table, writes JSON.

Each variant is the bundled checkpoint with one inference setting changed (post-process fields of
``ModelConfig`` that do not change what the weights mean, the focus crop, the proxy), run through
``hyperseg eval``'s harness on the same tuning frames (``hyperseg.model.data.SPLIT["tuning"]``),
HyperSeg only. Never run this on the report sequences.

    .venv/bin/python benchmarks/tune_post_processes.py --frames 2
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from hyperseg.model import Predictor
from hyperseg.model.data import DEFAULT_DAVIS_ROOT, SPLIT
from hyperseg.model.evaluation.evaluate import EvalConfig, evaluate

RESULTS = Path(__file__).resolve().parent / "results"

#: name -> (ModelConfig field changes, Predictor keyword changes, proxy)
VARIANTS: dict[str, tuple[dict, dict, float | None]] = {
    "default": ({}, {}, None),
    "no focus crop": ({}, {"focus_crop": False}, None),
    "focus crop 128x128": ({}, {"focus_pixels": 128 * 128}, None),
    "no click enforcement": ({"enforce_clicks": False}, {}, None),
    "band 2%": ({"boundary_band": 0.02}, {}, None),
    "band 3%": ({"boundary_band": 0.03}, {}, None),
    "no band": ({"boundary_band": 0.0}, {}, None),
    "proxy 0.5": ({}, {}, 0.5),
    "proxy 1.0": ({}, {}, 1.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DAVIS_ROOT)
    parser.add_argument("--frames", type=int, default=2, help="frames per tuning sequence")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS))
    parser.add_argument("--out", type=Path, default=RESULTS / "default_tuning.json")
    args = parser.parse_args()
    rows = []
    for name in args.variants:
        fields, keywords, proxy = VARIANTS[name]
        predictor = Predictor.load(device="cpu", **keywords)
        predictor.model.config = dataclasses.replace(predictor.model.config, **fields)
        config = EvalConfig(str(args.data), SPLIT["tuning"], args.frames, proxy=proxy, baselines=())
        summary = evaluate(predictor, config)["hyperseg"].summary()
        rows.append({"variant": name, **summary})
        print(f"{name:24s} NoC@85 {summary['NoC@85']:6.3f}  mIoU@1 {summary['mIoU@1']:.3f}  "
              f"mIoU@5 {summary['mIoU@5']:.3f}  mIoU@10 {summary['mIoU@10']:.3f}  never@85 {summary['never@85']}  "
              f"harmful {summary['harmful clicks']:.3f}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"checkpoint": predictor.checkpoint_id, "sequences": list(SPLIT["tuning"]),
                                    "frames_per_sequence": args.frames, "rows": rows}, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
