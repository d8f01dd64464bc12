"""Raw-stub helpers for daemon tests: frames, chunked uploads, clicks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from hyperseg.daemon.config import DaemonConfig
from hyperseg.daemon.server import RunningServer, serve
from hyperseg.protocol.frame_hash import frame_hash
from hyperseg.v1 import hyperseg_pb2 as pb
from hyperseg.v1 import hyperseg_pb2_grpc as pb_grpc

CHUNK = 1024 * 1024
TEST_CONFIG = DaemonConfig(host="127.0.0.1", port=0, cache_mb=64, frame_store_mb=64, grpc_threads=16)


def make_frame(seed: int, width: int = 32, height: int = 24, channels: int = 3) -> np.ndarray:
    """A random (H, W, C) float32 frame in [0, 1]."""
    rng = np.random.default_rng(seed)
    return rng.random((height, width, channels), dtype=np.float32)


def chunks_for(pixels: np.ndarray, channel_names=("R", "G", "B"), chunk: int = CHUNK,
               sha256: str | None = None) -> list[pb.FrameChunk]:
    """The FrameChunks of an upload, header on the first."""
    dtype = {np.dtype("float32"): pb.DTYPE_FLOAT32, np.dtype("float16"): pb.DTYPE_FLOAT16}[pixels.dtype]
    data = np.ascontiguousarray(pixels).tobytes()
    height, width = pixels.shape[:2]
    header = pb.FrameHeader(
        sha256=sha256 or frame_hash(pixels, channel_names), width=width, height=height,
        channel_names=list(channel_names), dtype=dtype, total_bytes=len(data),
    )
    pieces = [pb.FrameChunk(offset=o, data=data[o : o + chunk]) for o in range(0, len(data), chunk)] or [
        pb.FrameChunk()
    ]
    pieces[0].header.CopyFrom(header)
    return pieces


def upload(stub: pb_grpc.HyperSegStub, pixels: np.ndarray, channel_names=("R", "G", "B"), **kw) -> str:
    """Upload ``pixels`` unless the daemon has them; returns the hash."""
    sha256 = frame_hash(pixels, channel_names)
    if stub.MissingFrames(pb.MissingFramesRequest(hashes=[sha256])).missing:
        stub.UploadFrame(iter(chunks_for(pixels, channel_names, **kw)))
    return sha256


def points(*xy: tuple[float, float]) -> list[pb.Point]:
    return [pb.Point(x=x, y=y) for x, y in xy]




def start(predictor, **overrides) -> RunningServer:
    """A daemon on a free loopback port with TEST_CONFIG plus ``overrides``."""
    return serve(replace(TEST_CONFIG, **overrides), predictor=predictor)
