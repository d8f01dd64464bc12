"""Seconds per click through the daemon vs in-process, cached vs uncached, and bytes on the wire.

Starts `hyperseg serve` as a subprocess on a free loopback port, then for one synthetic frame:
  in-process  uncached: Predictor.encode_frame + predict_encoded
  in-process  cached:   predict_encoded on the kept encoding
  daemon      first click: MissingFrames + UploadFrame + Segment (backbone runs)
  daemon      next click:  MissingFrames + Segment (features cached, no pixels sent)
Bytes are protobuf payload sizes of every message each way (HTTP/2 framing not counted).
The floor is the in-process cached click (predict only), timed in the same run: every row is also
given as a ratio to it, which carries across machines better than seconds do.

    .venv/bin/python -m benchmarks.daemon_latency --width 64 --height 48 --repeats 3
    .venv/bin/python -m benchmarks.daemon_latency --device cuda --width 1920 --height 1080 --proxy 0.5
"""

from __future__ import annotations

import argparse
import re
import signal
import statistics
import subprocess
import sys
import time

import grpc
import numpy as np

from benchmarks import harness
from hyperseg.protocol.frame_hash import frame_hash
from hyperseg.v1 import hyperseg_pb2 as pb
from hyperseg.v1 import hyperseg_pb2_grpc as pb_grpc

CHUNK = 1024 * 1024


def parse_args() -> argparse.Namespace:
    parser = harness.parser("daemon_latency", __doc__)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--height", type=int, default=48)
    parser.add_argument("--proxy", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3, help="frames measured (each: first + next clicks)")
    parser.add_argument("--next-clicks", type=int, default=3, help="cached clicks per frame")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", choices=["float16", "float32"], default="float16", help="upload sample type")
    return parser.parse_args()


def start_daemon(device: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "hyperseg.cli", "serve", "--port", "0", "--device", device, "--untrained-seed", "0",
         "--log-level", "WARNING"],
        stdout=subprocess.PIPE, text=True,
    )
    line = process.stdout.readline()
    match = re.search(r"listening on (\S+)", line)
    if not match:
        process.kill()
        raise SystemExit(f"daemon did not start: {line!r}")
    return process, match.group(1)


def chunks(pixels: np.ndarray, sha256: str) -> list[pb.FrameChunk]:
    data = pixels.tobytes()
    dtype = pb.DTYPE_FLOAT16 if pixels.dtype == np.float16 else pb.DTYPE_FLOAT32
    height, width = pixels.shape[:2]
    pieces = [pb.FrameChunk(offset=o, data=data[o : o + CHUNK]) for o in range(0, len(data), CHUNK)]
    pieces[0].header.CopyFrom(pb.FrameHeader(sha256=sha256, width=width, height=height,
                                             channel_names=["R", "G", "B"], dtype=dtype, total_bytes=len(data)))
    return pieces


def click(stub, pixels: np.ndarray, xy: tuple[float, float], proxy: float) -> dict:
    """One client-side click: dedup query, upload if missing, Segment. Returns seconds and bytes."""
    start = time.perf_counter()
    sha = frame_hash(pixels, "RGB")
    query = pb.MissingFramesRequest(hashes=[sha])
    missing = stub.MissingFrames(query)
    sent, received = query.ByteSize(), missing.ByteSize()
    if missing.missing:
        pieces = chunks(pixels, sha)
        reply = stub.UploadFrame(iter(pieces))
        sent += sum(p.ByteSize() for p in pieces)
        received += reply.ByteSize()
    request = pb.SegmentRequest(frame=pb.FrameRef(sha256=sha), positive=[pb.Point(x=xy[0], y=xy[1])], proxy=proxy)
    reply = stub.Segment(request)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "sent": sent + request.ByteSize(), "received": received + reply.ByteSize(),
            "cache_hit": reply.timings.cache_hit, "server_ms": reply.timings.total_ms}


def main() -> int:
    args = parse_args()
    from hyperseg.model import Predictor

    predictor = Predictor.untrained(seed=0, device=args.device)
    rng = np.random.default_rng(0)
    frames = [rng.random((args.height, args.width, 3), dtype=np.float32) for _ in range(args.repeats + 1)]
    xy = [(rng.uniform(0, args.width), rng.uniform(0, args.height)) for _ in range(args.next_clicks + 1)]

    local_uncached, local_cached = [], []
    predictor.predict_encoded(predictor.encode_frame(frames[-1], proxy=args.proxy), positive=[xy[0]])  # warm-up
    for frame in frames[:-1]:
        start = time.perf_counter()
        encoding = predictor.encode_frame(frame, proxy=args.proxy)
        predictor.predict_encoded(encoding, positive=[xy[0]])
        local_uncached.append(time.perf_counter() - start)
        for point in xy[1:]:
            start = time.perf_counter()
            predictor.predict_encoded(encoding, positive=[point])
            local_cached.append(time.perf_counter() - start)

    process, address = start_daemon(args.device)
    try:
        with grpc.insecure_channel(address, options=[("grpc.max_receive_message_length", 256 * 1024 * 1024)]) as ch:
            stub = pb_grpc.HyperSegStub(ch)
            click(stub, frames[-1].astype(args.dtype), xy[0], args.proxy)  # warm-up
            first, following = [], []
            for frame in frames[:-1]:
                wire = frame.astype(args.dtype)
                first.append(click(stub, wire, xy[0], args.proxy))
                following.extend(click(stub, wire, point, args.proxy) for point in xy[1:])
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)

    assert not any(r["cache_hit"] for r in first) and all(r["cache_hit"] for r in following)
    median = statistics.median
    rows = [
        ("in-process, uncached (encode + predict)", median(local_uncached), None, None),
        ("in-process, cached (predict only)", median(local_cached), None, None),
        ("daemon, first click (upload + encode)", median(r["seconds"] for r in first),
         median(r["sent"] for r in first), median(r["received"] for r in first)),
        ("daemon, next click (cached, no pixels)", median(r["seconds"] for r in following),
         median(r["sent"] for r in following), median(r["received"] for r in following)),
    ]
    print(f"HyperSeg daemon latency: {args.width}x{args.height} frame, proxy {args.proxy:g}, device "
          f"{predictor.device}, upload {args.dtype}, {args.repeats} frames x {args.next_clicks} next clicks (medians)")
    floor = median(local_cached)
    harness.print_table([{"path": name, "s/click": seconds, "x floor": seconds / floor,
                          "bytes sent": "-" if sent is None else int(sent),
                          "bytes received": "-" if received is None else int(received)}
                         for name, seconds, sent, received in rows])
    harness.write_results(args.json, "daemon_latency", {
        "frame": [args.width, args.height], "proxy": args.proxy, "device": str(predictor.device),
        "upload_dtype": args.dtype, "repeats": args.repeats, "next_clicks": args.next_clicks,
        "seconds_per_click": {
            "in_process_uncached": median(local_uncached), "in_process_cached": median(local_cached),
            "daemon_first_click": median(r["seconds"] for r in first),
            "daemon_next_click": median(r["seconds"] for r in following),
        },
        "floor": "in_process_cached",
        "ratio_to_floor": {
            "in_process_uncached": median(local_uncached) / floor,
            "daemon_first_click": median(r["seconds"] for r in first) / floor,
            "daemon_next_click": median(r["seconds"] for r in following) / floor,
        },
        "bytes": {
            "first_click_sent": median(r["sent"] for r in first),
            "first_click_received": median(r["received"] for r in first),
            "next_click_sent": median(r["sent"] for r in following),
            "next_click_received": median(r["received"] for r in following),
        },
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
