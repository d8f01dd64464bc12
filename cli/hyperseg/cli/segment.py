"""``hyperseg segment``: one frame, a few clicks, one alpha EXR.

In-process by default (needs the server extra: torch); with ``--server HOST:PORT`` the frame goes
to a daemon through the torch-free client instead: the segmenter ``hyperseg batch`` uses too
(``hyperseg.batch.segmenter``). Either way only the plate's data window is segmented, its pixels
converted from ``--colorspace`` (default: the file's own) to the network's colour space by the
rule every route follows (``hyperseg.imageio.colour``), and the EXR is written atomically, half
float, ZIP, channel ``A`` (plus ``hypotheses.h0..`` with ``--hypotheses all``), the plate's
display and data windows kept, and metadata recording the clicks and the checkpoint.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from hyperseg.protocol.device import check_device
from hyperseg.protocol.errors import HypersegError, InputError
from hyperseg.protocol.proxy import check_proxy


def point(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a click is X,Y in pixels (e.g. 812.5,400.5), got {text!r}") from None
    return x, y


def device(text: str) -> str:
    try:
        return check_device(text)
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def proxy(text: str) -> float:
    try:
        return check_proxy(text)
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def colorspace(text: str) -> str:
    from hyperseg.imageio.colour import check_colorspace

    try:
        return check_colorspace(text)
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


COLORSPACE_HELP = ("the plate's colour space, as Nuke's default OCIO config names it: linear, scene_linear, raw, "
                   "sRGB, rec709, Gamma2.2 (default: the file's own, as Nuke reads it: float files linear, "
                   "integer files sRGB)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("frame", type=Path, help="plate frame (EXR, DPX, TIFF, PNG, JPEG)")
    parser.add_argument("-p", "--positive", type=point, action="append", default=[], metavar="X,Y",
                        help="positive click, pixels from the top-left of the display window, y down")
    parser.add_argument("-n", "--negative", type=point, action="append", default=[], metavar="X,Y",
                        help="negative click")
    parser.add_argument("--out", type=Path, required=True, help="alpha EXR to write")
    parser.add_argument("--server", help="HOST:PORT of a daemon (default: run the model in this process)")
    parser.add_argument("--token-file", type=Path, help="bearer token for --server")
    parser.add_argument("--tls-ca", type=Path, help="CA certificate for a TLS daemon")
    parser.add_argument("--proxy", type=proxy, help="run the network at this scale (default: the model's own)")
    parser.add_argument("--hypotheses", choices=("best", "all"), default="best")
    parser.add_argument("--previous", type=Path, help="previous frame, for temporal context")
    parser.add_argument("--colorspace", type=colorspace, metavar="NAME", help=COLORSPACE_HELP)
    parser.add_argument("--checkpoint", type=Path, help="checkpoint (in-process only; default: the bundled one)")
    parser.add_argument("--device", type=device, default="auto", help="auto|cpu|cuda|cuda:N (in-process only)")


def segment(args: argparse.Namespace) -> None:
    from hyperseg.batch.segmenter import PlateFrame, SegmenterSettings, segmenter_for, write_segmentation

    settings = SegmenterSettings(
        server=args.server, checkpoint=args.checkpoint, device=args.device, proxy=args.proxy,
        hypotheses=args.hypotheses, token_file=args.token_file, tls_ca=args.tls_ca,
    )
    plate = PlateFrame(None, args.frame, args.colorspace)
    previous = None if args.previous is None else PlateFrame(None, args.previous, args.colorspace)
    segmenter = segmenter_for(settings)
    try:
        started = time.perf_counter()
        result = segmenter.segment(plate, previous, args.positive, args.negative)
        seconds = time.perf_counter() - started
        model = segmenter.describe()
    finally:
        segmenter.close()
    write_segmentation(args.out, result, args.positive, args.negative, source=str(args.frame))
    data = result.data_window
    where = f" via {args.server}" if args.server else ""
    scores = ", ".join(f"{s:.3f}" for s in result.scores)
    print(f"wrote {args.out}{where} ({data.width}x{data.height}, {seconds:.2f} s, checkpoint {result.checkpoint_id}, "
          f"backbone {result.backbone}); scores [{scores}]")
    if "warning" in model:
        print(f"note: {model['warning']}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    if not args.positive and not args.negative:
        print("hyperseg segment: no clicks: give at least one -p X,Y (or -n X,Y)", file=sys.stderr)
        return 2
    try:
        segment(args)
    except HypersegError as exc:
        print(f"hyperseg segment: {exc}", file=sys.stderr)
        return 1
    return 0

