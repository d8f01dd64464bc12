"""``hyperseg demo``: the loop an artist lives, on the bundled plate, through a local daemon.

It starts a real daemon on a free loopback port with the bundled default checkpoint and clicks the
way the evaluation clicker does (each click at the deepest point of the larger error region), until
the matte reaches ``--target`` IoU against the plate's true matte or ``--max-clicks`` clicks. Every
click goes through the torch-free client exactly as the Nuke node sends it (the frame is uploaded
once; later clicks send only points). It prints each click's IoU and time, writes the last alpha
EXR and an overlay PNG of it with every click, and stops the daemon.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("out/demo"), help="folder for the demo's outputs")
    parser.add_argument("--checkpoint", type=Path, help="checkpoint (default: the bundled one)")
    parser.add_argument("--device", default="auto", help="auto|cpu|cuda")
    parser.add_argument("--proxy", type=float, help="network scale (default: the model's own), hyperseg.protocol.proxy")
    parser.add_argument("--target", type=float, default=0.90, help="stop clicking at this IoU")
    parser.add_argument("--max-clicks", type=int, default=10, help="stop clicking after this many clicks")


def run(args: argparse.Namespace) -> int:
    from hyperseg.daemon.config import DaemonConfig
    from hyperseg.daemon.server import serve
    from hyperseg.imageio import write_image
    from hyperseg.imageio.overlay import alpha_overlay
    from hyperseg.imageio.sample_plate import sample_plate, vase_mask
    from hyperseg.model.evaluation.clicker import run_clicker
    from hyperseg.plugin import Client

    args.out.mkdir(parents=True, exist_ok=True)
    plate, truth = sample_plate(), vase_mask()
    write_image(args.out / "plate.exr", plate, ("R", "G", "B"))
    print("starting a local daemon with the bundled checkpoint ...", flush=True)
    server = serve(DaemonConfig(port=0, device=args.device, checkpoint=args.checkpoint, drain_seconds=5))
    results = []

    def report(click: tuple[float, float, bool], score: float, seconds: float) -> None:
        x, y, is_positive = click
        number = len(results)
        print(f"click {number:2d} {'+' if is_positive else '-'} ({x:6.1f}, {y:6.1f})  IoU {score:.3f}  {seconds:6.2f} s"
              + ("  (frame upload + backbone + click)" if number == 1 else ""), flush=True)

    try:
        with Client(server.address) as client:
            info = client.info()

            def segment(positive, negative, _previous):
                results.append(client.segment(plate, positive, negative, proxy=args.proxy, hypotheses="all"))
                return results[-1].alpha

            run = run_clicker(truth, segment, args.max_clicks, stop_at=args.target, on_click=report)
    finally:
        server.stop(5)
    result, score = results[-1], run.ious[len(results) - 1]
    positive = [(x, y) for x, y, sign in run.clicks if sign]
    negative = [(x, y) for x, y, sign in run.clicks if not sign]
    alpha_path = result.save(args.out / "alpha.exr")
    overlay = alpha_overlay(plate, result.alpha, positive, negative)
    write_image(args.out / "overlay.png", overlay, ("R", "G", "B"))
    reached = "reached" if score >= args.target else "did not reach"
    print(f"checkpoint {result.checkpoint_id}; backbone {result.backbone}")
    print(f"{len(positive)} positive + {len(negative)} negative clicks: IoU with the true matte {score:.3f} "
          f"({reached} {args.target:.2f})")
    channels = f"A + hypotheses.h0..h{len(result.scores) - 1}"
    print(f"wrote {alpha_path} (half, ZIP, {channels}) and {args.out / 'overlay.png'}")
    warning = info.get("model", {}).get("warning")
    if warning:
        print(f"note: {warning}; these alphas and IoUs come from that backbone")
    return 0 if np.isfinite(result.alpha).all() else 1
