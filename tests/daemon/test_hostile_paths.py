"""Files under --allow-root that are not regular files, storage that hangs, absurd windows."""

from __future__ import annotations

import os
import threading
import time

import grpc
import numpy as np
import OpenImageIO as oiio
import pytest
from daemon_wire import make_frame, points, start
from grpc_health.v1 import health_pb2, health_pb2_grpc

from hyperseg.daemon.frame_paths import open_regular_file, read_within
from hyperseg.imageio import Window, decode_exr_bytes, write_image
from hyperseg.protocol.errors import DeadlineError, PermissionDeniedError
from hyperseg.v1 import hyperseg_pb2 as pb
from hyperseg.v1 import hyperseg_pb2_grpc as pb_grpc


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    os.mkfifo(root / "fifo.exr")
    write_image(root / "plate.exr", make_frame(5), ["R", "G", "B"])
    # A 100000x100000 display window around a 4x4 data window: 112 GiB if pasted into the display.
    write_image(root / "huge_display.exr", make_frame(6, width=4, height=4), ["R", "G", "B"],
                display_window=Window(0, 0, 100_000, 100_000))
    return root


@pytest.fixture(scope="module")
def hostile_daemon(predictor, root):
    running = start(predictor, allow_roots=(root,))
    yield running
    running.stop(grace=2)


@pytest.fixture
def channel(hostile_daemon):
    with grpc.insecure_channel(f"127.0.0.1:{hostile_daemon.port}") as chan:
        yield chan


def segment(channel, path, timeout=20.0):
    stub = pb_grpc.HyperSegStub(channel)
    return stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(path=str(path)), positive=points((1.5, 1.5)),
                                          proxy=0.5), timeout=timeout)


@pytest.mark.parametrize("writer", [False, True], ids=["no-writer", "silent-writer"])
def test_a_fifo_is_refused_at_once_and_the_daemon_stays_healthy(channel, root, writer):
    held = os.open(root / "fifo.exr", os.O_RDWR) if writer else None  # a writer that never writes
    try:
        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as raised:
            segment(channel, root / "fifo.exr")
        assert time.monotonic() - started < 10
        assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert raised.value.details() == (
            f"{root}/fifo.exr is a FIFO: the daemon reads only regular image files"
        )
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        assert segment(channel, root / "plate.exr").width == 32
    finally:
        if held is not None:
            os.close(held)


def test_open_regular_file_never_blocks_on_a_fifo(root):
    with pytest.raises(PermissionDeniedError, match="is a FIFO"):
        open_regular_file(root / "fifo.exr")


def test_a_read_that_hangs_fails_after_its_time_limit(root):
    """A blocking read on a FIFO whose writer never writes stands in for hung storage."""
    writer = os.open(root / "fifo.exr", os.O_RDWR)
    reader = os.open(root / "fifo.exr", os.O_RDONLY)
    try:
        started = time.monotonic()
        with pytest.raises(DeadlineError, match=r"reading .*fifo\.exr took longer than 0\.3 s"):
            read_within(reader, root / "fifo.exr", 0.3)
        assert 0.3 <= time.monotonic() - started < 5
        hung = [t for t in threading.enumerate() if t.name == "hyperseg-read-fifo.exr"]
        assert hung and hung[0].daemon
    finally:
        os.close(writer)  # EOF: the hung reader thread ends
        os.close(reader)
    hung[0].join(5)
    assert not hung[0].is_alive()


def test_a_huge_display_window_costs_only_its_data_window(channel, root):
    reply = segment(channel, root / "huge_display.exr")
    image = decode_exr_bytes(reply.exr)
    assert (reply.width, reply.height) == (100_000, 100_000)
    assert image.display_window == Window(0, 0, 100_000, 100_000)
    assert image.data_window == Window(0, 0, 4, 4)


def test_a_huge_data_window_is_refused_before_decoding(channel, root):
    path = root / "huge_data.exr"
    huge_exr(path, 100_000, 100_000)
    with pytest.raises(grpc.RpcError) as raised:
        segment(channel, path)
    assert raised.value.code() == grpc.StatusCode.DATA_LOSS  # OpenImageIO: 19073 MB from a 50 KB file
    assert raised.value.details().startswith(f"cannot open image {path}: openexr header claims a 19073 MB image")


def test_a_data_window_over_the_pixel_limit_is_refused_before_decoding(predictor, root):
    running = start(predictor, allow_roots=(root,), max_frame_pixels=500)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{running.port}") as chan, pytest.raises(grpc.RpcError) as raised:
            segment(chan, root / "plate.exr")
    finally:
        running.stop(grace=2)
    assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert raised.value.details() == f"{root}/plate.exr: its data window is 32x24 = 768 pixels, over the limit of 500"


def huge_exr(path, width: int, height: int) -> None:
    """A grey half EXR of ``width`` x ``height`` of which only the first row was written (50 KB)."""
    spec = oiio.ImageSpec(width, height, 1, oiio.HALF)
    spec.channelnames = ("Y",)
    spec.attribute("compression", "zip")
    out = oiio.ImageOutput.create(str(path))
    assert out.open(str(path), spec), oiio.geterror()
    assert out.write_scanline(0, 0, np.zeros((width, 1), np.float32)), out.geterror()
    out.close()


def test_a_damaged_exr_whose_error_text_is_not_utf8_is_data_loss(channel, root):
    good = root / "plate.exr"
    data = bytearray(good.read_bytes())
    data[data.index(b"v2f\x00")] = 0xFF
    (root / "damaged.exr").write_bytes(bytes(data))
    with pytest.raises(grpc.RpcError) as raised:
        segment(channel, root / "damaged.exr")
    assert raised.value.code() == grpc.StatusCode.DATA_LOSS
    assert raised.value.details().startswith(f"cannot decode image {root}/damaged.exr: ")


def test_a_proxy_too_small_for_the_frame_is_invalid_argument(channel, root):
    write_image(root / "thin.exr", make_frame(7, width=20, height=10), ["R", "G", "B"])
    stub = pb_grpc.HyperSegStub(channel)
    with pytest.raises(grpc.RpcError) as raised:
        stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(path=str(root / "thin.exr")), positive=points((1.5, 1.5)),
                                       proxy=0.05), timeout=20)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.details() == (
        "at proxy 0.05 the 20x10 frame runs at 1x1 pixels; the network needs at least 2 per side: raise the"
        " proxy or send a larger frame"
    )
