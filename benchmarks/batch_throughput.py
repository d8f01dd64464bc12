"""Batch frames per second: in-process, through the daemon (pixels / paths), on a Dask LocalCluster.

Writes a synthetic shot (a disc moving over a gradient, RGB half EXR) of --frames frames at
--width x --height, an untrained checkpoint unless --checkpoint is given, then runs the same
`hyperseg batch` job four ways, each timed after a warm-up frame (model loaded, workers up):
  in-process      BatchRunner + LocalSegmenter
  daemon pixels   BatchRunner + RemoteSegmenter uploading frames (deduplicated by hash)
  daemon paths    BatchRunner + RemoteSegmenter sending paths the daemon reads itself
  dask 2 workers  run_on_dask over a LocalCluster of 2 worker processes, --chunk frames per task
Each daemon mode gets a fresh daemon in this process on a loopback port (gRPC threads; torch
releases the GIL), so no mode profits from features another one cached.
Wire bytes per frame: pixel bytes the daemon received (its frame_bytes_received counter) plus
the alpha EXR it sent back (the size of the EXR written, which carries the same pixels).
The floor is the in-process run, timed in the same run: every mode is also given as its
frames/s over the in-process frames/s.

    .venv/bin/python -m benchmarks.batch_throughput --width 128 --height 96 --frames 4
    .venv/bin/python -m benchmarks.batch_throughput --device cuda --frames 24   # 1920x1080
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks import harness
from hyperseg.batch.dask_runner import run_on_dask
from hyperseg.batch.job import BatchJob
from hyperseg.batch.runner import BatchRunner
from hyperseg.batch.segmenter import LocalSegmenter, RemoteSegmenter
from hyperseg.imageio import FramePattern, write_image
from hyperseg.protocol.clicktracks import ClickTrack, ClickTracks

FIRST = 1001


def parse_args() -> argparse.Namespace:
    parser = harness.parser("batch_throughput", __doc__)
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--frames", type=int, default=6, help="timed frames per mode (plus one warm-up)")
    parser.add_argument("--chunk", type=int, default=0, help="frames per Dask task (default: half the frames)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--checkpoint", type=Path, help="weights (default: an untrained model)")
    return parser.parse_args()


def write_shot(root: Path, width: int, height: int, count: int) -> tuple[str, Path]:
    plate = FramePattern(root / "plate" / "plate.%04d.exr")
    plate.directory.mkdir(parents=True)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32) + 0.5
    radius = height / 5
    for k in range(count):
        cx = width * (0.3 + 0.4 * k / max(count - 1, 1))
        rgb = np.stack([x / width, np.full_like(x, 0.3), 1.0 - x / width], axis=-1)
        rgb[(x - cx) ** 2 + (y - height / 2) ** 2 < radius**2] = (0.9, 0.8, 0.1)
        write_image(plate.path(FIRST + k), rgb, ["R", "G", "B"], exr_pixel_type="half")
    last = FIRST + count - 1
    tracks = ClickTracks([
        ClickTrack("p1", "positive", {FIRST: (width * 0.3, height / 2), last: (width * 0.7, height / 2)}),
        ClickTrack("n1", "negative", {FIRST: (width * 0.05, height * 0.1)}),
    ])
    tracks.save(root / "clicks.json")
    return plate.pattern, root / "clicks.json"


def timed_run(job: BatchJob, segmenter) -> tuple[float, list[int]]:
    """Warm up on the first frame, then time the rest; returns (frames/s, frames written)."""
    runner = BatchRunner(job, segmenter, ClickTracks.load(job.clicks), progress=False)
    runner.run(job.frame_list[:1])
    report = runner.run(job.frame_list[1:])
    if not report.ok:
        raise SystemExit(report.summary())
    return len(report.written) / report.seconds, report.written


def mean_output_bytes(job: BatchJob, frames: list[int]) -> float:
    return float(np.mean([job.out_pattern.path(f).stat().st_size for f in frames]))


def main() -> None:
    args = parse_args()
    from distributed import LocalCluster

    from hyperseg.daemon.config import DaemonConfig
    from hyperseg.daemon.server import serve
    from hyperseg.model import Predictor
    from hyperseg.model.checkpoint import save_checkpoint

    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="hyperseg-batch-bench-") as scratch:
        root = Path(scratch)
        plate, clicks = write_shot(root, args.width, args.height, args.frames + 1)
        checkpoint = args.checkpoint
        if checkpoint is None:
            checkpoint = root / "untrained.pt"
            save_checkpoint(checkpoint, Predictor.untrained(seed=0, device="cpu").model)
        base = BatchJob(
            plate=plate, frames=f"{FIRST}-{FIRST + args.frames}", clicks=str(clicks),
            out=str(root / "out" / "alpha.%04d.exr"), checkpoint=str(checkpoint), device=args.device,
            chunk=args.chunk or max(1, math.ceil(args.frames / 2)),
        )
        predictor = Predictor.load(checkpoint, device=args.device)

        job = replace(base, out=str(root / "local" / "a.%04d.exr"))
        fps, written = timed_run(job, LocalSegmenter(predictor))
        rows.append({"mode": "in-process", "frames_per_s": fps, "wire_bytes_per_frame": 0.0})

        config = DaemonConfig(host="127.0.0.1", port=0, device=args.device, allow_roots=(root,))
        for send in ("pixels", "paths"):
            daemon = serve(config, predictor=predictor)  # a fresh daemon: no features cached by the last mode
            try:
                job = replace(base, out=str(root / send / "a.%04d.exr"), server=daemon.address, send=send)
                segmenter = RemoteSegmenter.connect(daemon.address, send=send)
                before = int(segmenter.client.info()["counters"]["frame_bytes_received"])
                fps, written = timed_run(job, segmenter)
                after = int(segmenter.client.info()["counters"]["frame_bytes_received"])
                segmenter.close()
            finally:
                daemon.stop(grace=1)
            # The warm-up uploaded one frame (its own, no previous): each timed frame uploads one more.
            upload = (after - before) / (len(written) + 1)
            rows.append({"mode": f"daemon ({send})", "frames_per_s": fps,
                         "wire_bytes_per_frame": upload + mean_output_bytes(job, written),
                         "upload_bytes_per_frame": upload})

        job = replace(base, out=str(root / "dask" / "a.%04d.exr"))
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            warm = run_on_dask(replace(job, frames=f"{FIRST}-{FIRST + 1}", chunk=1), cluster.scheduler_address,
                               progress=False)
            if not warm.ok:
                raise SystemExit(warm.summary())
            start = time.perf_counter()
            report = run_on_dask(job, cluster.scheduler_address, job.frame_list[1:], progress=False)
            seconds = time.perf_counter() - start
        if not report.ok:
            raise SystemExit(report.summary())
        rows.append({"mode": "dask LocalCluster, 2 workers", "frames_per_s": len(report.written) / seconds,
                     "wire_bytes_per_frame": 0.0})

    print(f"batch throughput, {args.width}x{args.height}, {args.frames} timed frames, device {predictor.device}, "
          f"checkpoint {predictor.checkpoint_id}")
    harness.add_ratios(rows, "frames_per_s", rows[0]["frames_per_s"], "ratio_to_in_process")
    harness.print_table(rows, ["mode", "frames_per_s", "ratio_to_in_process", "wire_bytes_per_frame"])
    harness.write_results(args.json, "batch_throughput", {
        "width": args.width, "height": args.height, "frames": args.frames, "device": str(predictor.device),
        "checkpoint": predictor.checkpoint_id, "rows": rows,
    })


if __name__ == "__main__":
    main()
