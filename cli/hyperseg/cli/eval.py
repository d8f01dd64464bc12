"""``hyperseg eval``: a checkpoint against GrabCut and random walker, same clicks, same frames
(DAVIS frames, or with ``--images`` a still-photograph benchmark such as GrabCut's);
``hyperseg eval --video``: whole shots from first-frame clicks, propagated against held still."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hyperseg.model.data import DEFAULT_DAVIS_ROOT, SPLIT
from hyperseg.model.evaluation.baselines import BASELINES
from hyperseg.model.evaluation.evaluate import EvalConfig, evaluate, write_report
from hyperseg.model.predictor import Predictor
from hyperseg.protocol.errors import HypersegError, InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", type=Path, help="checkpoint to evaluate (default: the bundled one)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DAVIS_ROOT, help="DAVIS 2016 folder")
    parser.add_argument("--split", choices=sorted(SPLIT), default="report",
                        help="held-out sequences to run: 'tuning' to choose settings, 'report' to report them")
    parser.add_argument("--sequences", nargs="+", help="these sequences instead of --split's")
    parser.add_argument("--images", type=Path, metavar="DIR",
                        help="every photograph of a still benchmark instead of DAVIS frames: data_GT/ and "
                             "boundary_GT/ (GrabCut's 50) or images/ and masks/ (Berkeley's 100); a mask's 128 "
                             "band is neither clicked nor scored")
    parser.add_argument("--frames", type=int,
                        help="frames per sequence, evenly spaced (default 5); with --video the first N (default all)")
    parser.add_argument("--max-clicks", type=int, default=20)
    parser.add_argument("--proxy", type=float,
                        help="scale HyperSeg runs at (1 = full resolution; default: the model's own, as users get it)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="resize every frame and mask by this factor first and score at that size "
                             "(2.4: DAVIS's 854x480 frames as 2050x1152 plates)")
    beside = parser.add_mutually_exclusive_group()
    beside.add_argument("--baselines", nargs="+", choices=sorted(BASELINES), default=sorted(BASELINES),
                        metavar="NAME", help=f"classical baselines clicked beside HyperSeg (default: all of "
                                             f"{', '.join(sorted(BASELINES))})")
    beside.add_argument("--no-baselines", dest="baselines", action="store_const", const=[],
                        help="HyperSeg only")
    parser.add_argument("--video", action="store_true",
                        help="whole shots: clicks on the first frame only, propagated; J, decay, flicker, "
                             "against clicks held still and the random walker")
    parser.add_argument("--correction-every", type=int, default=10, metavar="N",
                        help="with --video: one correction click every N frames (default 10)")
    parser.add_argument("--no-focus-crop", action="store_true",
                        help="run every click on the whole frame, not only the window a later click can change")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", type=Path, default=Path("runs/eval"),
                        help="folder for eval.md/json and the plot (video.md/json and j_per_frame.png with --video)")


def run(args: argparse.Namespace) -> int:
    try:
        if args.video and args.images:
            raise InputError("--images runs still photographs and --video whole shots: choose one")
        if args.video and args.scale != 1:
            raise InputError("--scale resizes frames clicked one by one; --video runs whole shots at their own size")
        predictor = Predictor.load(args.checkpoint, device=args.device, focus_crop=not args.no_focus_crop)
        if args.video:
            return _run_video(predictor, args)
        return _run_images(predictor, args)
    except HypersegError as exc:
        print(f"hyperseg eval: error: {exc}", file=sys.stderr)
        return 2


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _sequences(args: argparse.Namespace) -> tuple[str, ...]:
    return tuple(args.sequences) if args.sequences else SPLIT[args.split]


def _run_images(predictor: Predictor, args: argparse.Namespace) -> int:
    config = EvalConfig(str(args.data), _sequences(args), args.frames or 5,
                        args.max_clicks, args.proxy, tuple(args.baselines),
                        None if args.images is None else str(args.images), args.scale)
    methods = evaluate(predictor, config, progress=_progress)
    print(write_report(predictor, config, methods, args.out))
    print(f"wrote {args.out / 'eval.md'}, {args.out / 'eval.json'}, {args.out / 'iou_vs_clicks.png'}")
    return 0


def _run_video(predictor: Predictor, args: argparse.Namespace) -> int:
    from hyperseg.model.evaluation.video import VideoEvalConfig, evaluate_video, write_video_report

    config = VideoEvalConfig(str(args.data), _sequences(args), args.frames, args.proxy,
                             correction_every=args.correction_every)
    results = evaluate_video(predictor, config, _progress)
    print(write_video_report(predictor, config, results, args.out))
    print(f"wrote {args.out / 'video.md'}, {args.out / 'video.json'}, {args.out / 'j_per_frame.png'}")
    return 0
