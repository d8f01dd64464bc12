"""``hyperseg eval``: a checkpoint against GrabCut and random walker, same clicks, same frames."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hyperseg.model.data import DEFAULT_DAVIS_ROOT, VALIDATION_SEQUENCES
from hyperseg.model.evaluation.evaluate import EvalConfig, evaluate, write_report
from hyperseg.model.predictor import Predictor


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", type=Path, help="checkpoint to evaluate (default: the bundled one)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DAVIS_ROOT, help="DAVIS 2016 folder")
    parser.add_argument("--sequences", nargs="+", default=list(VALIDATION_SEQUENCES), help="validation sequences")
    parser.add_argument("--frames", type=int, default=5, help="frames per sequence, evenly spaced")
    parser.add_argument("--max-clicks", type=int, default=20)
    parser.add_argument("--proxy", type=float, default=0.5, help="scale HyperSeg runs at (1 = full resolution)")
    parser.add_argument("--baselines", nargs="*", default=["grabcut", "random_walker"])
    parser.add_argument("--feed-previous-mask", action="store_true",
                        help="feed each prediction back as the next click's previous-mask cue")
    parser.add_argument("--no-focus-crop", action="store_true",
                        help="run every click on the whole frame, not only the window a later click can change")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", type=Path, default=Path("runs/eval"), help="folder for eval.md/json and the plot")


def run(args: argparse.Namespace) -> int:
    predictor = Predictor.load(args.checkpoint, device=args.device, focus_crop=not args.no_focus_crop)
    config = EvalConfig(str(args.data), tuple(args.sequences), args.frames, args.max_clicks, args.proxy,
                        tuple(args.baselines), args.feed_previous_mask)
    methods = evaluate(predictor, config, progress=lambda message: print(message, file=sys.stderr, flush=True))
    print(write_report(predictor, config, methods, args.out))
    print(f"wrote {args.out / 'eval.md'}, {args.out / 'eval.json'}, {args.out / 'iou_vs_clicks.png'}")
    return 0
