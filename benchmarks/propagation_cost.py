"""What propagation costs per frame beyond segmenting it: tracking 5 clicks through a 100-frame shot.

On a DAVIS sequence (854x480; default parkour, 100 frames) with 3 positive clicks inside the
first frame's mask and 2 negatives outside it (seeded), times per frame, each in this run:
  read (floor)       decoding the frame from its JPEG: what any per-frame tool pays
  track forward      propagate_clicks(..., "forward"): grey conversion, Lucas-Kanade both ways
  track both         propagate_clicks(..., "both"): the two passes and the blend
  track forward, requests of 16
                     what the daemon tracks for Client.segment_range(..., propagate="forward")
                     at its default 16 frames a request: each request tracks from the range's
                     first frame through its own last (so any split equals one run)
  5 clicks always on one PointTracker.step per frame pair for all 5 clicks, grey conversion
                     included, whether or not they stay trusted: the bound when no click
                     switches off (switched-off clicks cost nothing, so the rows above can be less)
  segment            HyperSeg on the frame (encode_frame + one predict_encoded, bundled
                     checkpoint, --proxy), over the first --segment-frames frames
and prints each as seconds per frame and as a ratio to the floor, then writes JSON.

    .venv/bin/python -m benchmarks.propagation_cost --data /work/shared/data/davis2016
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np
import torch

from benchmarks import harness
from hyperseg.imageio import read_image, read_rgb
from hyperseg.model import Predictor
from hyperseg.model.propagation.click_propagation import propagate_clicks
from hyperseg.model.propagation.point_tracker import PointTracker, to_gray
from hyperseg.protocol.clicktracks import ClickTrack, ClickTracks


def parse_args() -> argparse.Namespace:
    parser = harness.parser("propagation_cost", __doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/davis2016"))
    parser.add_argument("--sequence", default="parkour")
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--segment-frames", type=int, default=3)
    parser.add_argument("--proxy", type=float, default=0.5)
    parser.add_argument("--request-frames", type=int, default=16,
                        help="frames per SegmentRange request of the client path (Client RANGE_BATCH)")
    return parser.parse_args()


def clicks_for(mask: np.ndarray) -> ClickTracks:
    rng = np.random.default_rng(0)
    inside, outside = np.argwhere(cv2.erode(mask.astype(np.uint8), np.ones((15, 15))) > 0), np.argwhere(~mask)
    picks = [("positive", inside[i]) for i in rng.choice(len(inside), 3, replace=False)]
    picks += [("negative", outside[i]) for i in rng.choice(len(outside), 2, replace=False)]
    return ClickTracks([ClickTrack(f"c{k}", sign, {0: (float(col) + 0.5, float(row) + 0.5)})
                        for k, (sign, (row, col)) in enumerate(picks)])


def main() -> None:
    args = parse_args()
    images = sorted((args.data / "JPEGImages" / "480p" / args.sequence).glob("*.jpg"))[: args.frames]
    start = time.perf_counter()
    rgbs = [read_rgb(p) for p in images]
    read_s = (time.perf_counter() - start) / len(rgbs)
    mask = read_image(args.data / "Annotations" / "480p" / args.sequence / "00000.png").pixels[:, :, 0] > 0
    tracks, frames = clicks_for(mask), list(range(len(rgbs)))
    rows = [{"step": "read (floor)", "s_per_frame": read_s}]
    for direction in ("forward", "both"):
        start = time.perf_counter()
        result = propagate_clicks(tracks, frames, rgbs.__getitem__, direction)
        rows.append({"step": f"track {direction}", "s_per_frame": (time.perf_counter() - start) / len(rgbs),
                     "switched_off": len(result.switched_off)})
    start = time.perf_counter()
    for end in range(args.request_frames, len(frames) + args.request_frames, args.request_frames):
        propagate_clicks(tracks, frames[:end], rgbs.__getitem__, "forward")
    rows.append({"step": f"track forward, requests of {args.request_frames}",
                 "s_per_frame": (time.perf_counter() - start) / len(rgbs)})
    tracker, points = PointTracker(), [p for side in tracks.at(0) for p in side]
    start = time.perf_counter()
    grays = [to_gray(rgbs[0])]
    for t in frames[1:]:
        grays.append(to_gray(rgbs[t]))
        tracker.step(grays[t - 1], grays[t], points)
    rows.append({"step": "5 clicks always on", "s_per_frame": (time.perf_counter() - start) / len(rgbs)})
    predictor = Predictor.load(device="cpu")
    positive, negative = tracks.at(0)
    start = time.perf_counter()
    for t in range(args.segment_frames):
        encoding = predictor.encode_frame(rgbs[t], rgbs[max(t - 1, 0)], args.proxy)
        predictor.predict_encoded(encoding, positive, negative)
    rows.append({"step": f"segment (proxy {args.proxy})",
                 "s_per_frame": (time.perf_counter() - start) / args.segment_frames})
    height, width = rgbs[0].shape[:2]
    print(f"{args.sequence}: {len(rgbs)} frames of {width}x{height}, 5 clicks, {torch.get_num_threads()} threads")
    harness.add_ratios(rows, "s_per_frame", read_s)
    harness.print_table(rows, ["step", "s_per_frame", "ratio_to_floor"])
    harness.write_results(args.json, "propagation_cost", {
        "threads": torch.get_num_threads(), "sequence": args.sequence, "frames": len(rgbs),
        "size": f"{width}x{height}", "clicks": 5, "checkpoint": predictor.checkpoint_id, "rows": rows,
    })


if __name__ == "__main__":
    main()
