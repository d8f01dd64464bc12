"""``hyperseg segment``: one frame, a few clicks, one alpha EXR.

In-process by default (needs the server extra: torch); with ``--server HOST:PORT`` the frame goes
to a daemon through the torch-free client instead. Either way only the plate's data window is
segmented, its pixels converted from ``--colorspace`` (default: the file's own) to the network's
colour space by the rule every route follows (``hyperseg.imageio.colour``), and the EXR is
written atomically, half float, ZIP, channel ``A`` (plus ``hypotheses.h0..`` with ``--hypotheses
all``), the plate's display and data windows kept, and metadata recording the clicks and the
checkpoint.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hyperseg.protocol.alpha_exr import alpha_metadata
from hyperseg.protocol.device import check_device
from hyperseg.protocol.errors import HypersegError, InputError
from hyperseg.protocol.proxy import check_proxy

#: The largest data window decoded in-process (the daemon's default --max-frame-pixels).
MAX_FRAME_PIXELS = 4096 * 4096


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


def segment_in_process(args: argparse.Namespace) -> None:
    from hyperseg.imageio import network_rgb, read_image, rewindow, write_alpha_exr
    from hyperseg.model import Predictor
    from hyperseg.protocol.clicks import clicks_on_plane

    plate = read_image(args.frame, max_pixels=MAX_FRAME_PIXELS)
    display, data = plate.display_window, plate.data_window
    rgb = network_rgb(plate, args.colorspace)
    previous = None
    if args.previous:
        before = read_image(args.previous, max_pixels=MAX_FRAME_PIXELS)
        if before.display_window != display:
            raise InputError(
                f"--previous {args.previous} has display window {before.display_window}, the frame {display}"
            )
        previous = rewindow(network_rgb(before, args.colorspace), before.data_window, data)
    predictor = Predictor.load(args.checkpoint, device=args.device)
    proxy = predictor.run_proxy(data.width, data.height, args.proxy)
    positive = clicks_on_plane(args.positive, "positive", display, data)
    negative = clicks_on_plane(args.negative, "negative", display, data)
    predictor.set_frame(rgb, previous, proxy)
    result = predictor.predict(positive, negative, refine=None if args.hypotheses == "all" else (0,))
    info = predictor.describe()
    metadata = alpha_metadata(positive=args.positive, negative=args.negative, checkpoint=info["checkpoint"],
                              backbone=info["backbone"], source=str(args.frame), proxy=proxy)
    write_alpha_exr(args.out, result.alpha, hypotheses=result.masks if args.hypotheses == "all" else None,
                    display_window=display, data_window=data, pixel_aspect=plate.pixel_aspect, metadata=metadata)
    scores = ", ".join(f"{s:.3f}" for s in result.scores)
    print(f"wrote {args.out} ({rgb.shape[1]}x{rgb.shape[0]}, {result.seconds:.2f} s per click); scores [{scores}]")
    if "warning" in info:
        print(f"note: {info['warning']}", file=sys.stderr)


def segment_through_daemon(args: argparse.Namespace) -> None:
    from hyperseg.plugin import Client
    from hyperseg.protocol.token_file import read_token_file

    token = read_token_file(args.token_file) if args.token_file else None
    with Client(args.server, token=token, tls_ca=args.tls_ca, send_paths=False) as client:
        result = client.segment(str(args.frame), args.positive, args.negative,
                                previous=str(args.previous) if args.previous else None,
                                proxy=args.proxy, hypotheses=args.hypotheses, colorspace=args.colorspace)
    result.save(args.out)
    print(f"wrote {args.out} via {args.server} (checkpoint {result.checkpoint_id}, backbone {result.backbone})")


def run(args: argparse.Namespace) -> int:
    if not args.positive and not args.negative:
        print("hyperseg segment: no clicks: give at least one -p X,Y (or -n X,Y)", file=sys.stderr)
        return 2
    try:
        if args.server:
            segment_through_daemon(args)
        else:
            segment_in_process(args)
    except HypersegError as exc:
        print(f"hyperseg segment: {exc}", file=sys.stderr)
        return 1
    return 0

