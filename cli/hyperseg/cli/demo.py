"""``hyperseg demo``: the bundled plate and clicks, through a local daemon, to an EXR and an overlay.

It starts a real daemon on a free loopback port with the bundled default checkpoint, sends the
frame and clicks through the torch-free client exactly as the Nuke node does, writes the alpha
EXR and an overlay PNG, scores the alpha against the plate's true matte, and stops the daemon.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("out/demo"), help="folder for the demo's outputs")
    parser.add_argument("--checkpoint", type=Path, help="checkpoint (default: the bundled one)")
    parser.add_argument("--device", default="auto", help="auto|cpu|cuda")
    parser.add_argument("--proxy", type=float, default=1.0, help="network scale (0 < p <= 1)")


def run(args: argparse.Namespace) -> int:
    from hyperseg.daemon.config import DaemonConfig
    from hyperseg.daemon.server import serve
    from hyperseg.imageio import write_image
    from hyperseg.imageio.overlay import alpha_overlay
    from hyperseg.imageio.sample_plate import NEGATIVE_CLICKS, POSITIVE_CLICKS, sample_plate, vase_mask
    from hyperseg.plugin import Client

    args.out.mkdir(parents=True, exist_ok=True)
    plate = sample_plate()
    write_image(args.out / "plate.exr", plate, ("R", "G", "B"))
    print("starting a local daemon with the bundled checkpoint ...", flush=True)
    server = serve(DaemonConfig(port=0, device=args.device, checkpoint=args.checkpoint, drain_seconds=5))
    try:
        with Client(server.address) as client:
            info = client.info()
            start = time.perf_counter()
            result = client.segment(plate, POSITIVE_CLICKS, NEGATIVE_CLICKS, proxy=args.proxy, hypotheses="all")
            seconds = time.perf_counter() - start
    finally:
        server.stop(5)
    alpha_path = result.save(args.out / "alpha.exr")
    overlay = alpha_overlay(plate, result.alpha, POSITIVE_CLICKS, NEGATIVE_CLICKS)
    write_image(args.out / "overlay.png", overlay, ("R", "G", "B"))
    truth = vase_mask()
    predicted = result.alpha > 0.5
    iou = float((predicted & truth).sum() / max((predicted | truth).sum(), 1))
    print(f"checkpoint {result.checkpoint_id}; backbone {result.backbone}")
    print(f"{len(POSITIVE_CLICKS)} positive + {len(NEGATIVE_CLICKS)} negative clicks -> alpha in {seconds:.2f} s "
          f"(frame upload + backbone + click), IoU with the true matte {iou:.3f}")
    channels = f"A + hypotheses.h0..h{len(result.scores) - 1}"
    print(f"wrote {alpha_path} (half, ZIP, {channels}) and {args.out / 'overlay.png'}")
    warning = info.get("model", {}).get("warning")
    if warning:
        print(f"note: {warning}; this alpha and its IoU come from that backbone")
    return 0 if np.isfinite(result.alpha).all() else 1
