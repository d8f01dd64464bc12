"""Uploads that declare a big plane and then send nothing: memory is reserved against the budget
before it is allocated, and what does not fit is refused with RESOURCE_EXHAUSTED."""

from __future__ import annotations

import threading

import grpc
import pytest
from daemon_wire import chunks_for, make_frame, start

from hyperseg.v1 import hyperseg_pb2 as pb
from hyperseg.v1 import hyperseg_pb2_grpc as pb_grpc

MIB = 1024 * 1024


@pytest.fixture
def small_daemon(predictor):
    running = start(predictor, frame_store_mb=8)
    yield running
    running.stop(grace=2)


def stalled(header_chunk: pb.FrameChunk, release: threading.Event):
    """A real client stream: the header, then silence until ``release``."""
    yield header_chunk
    release.wait(30)


def test_stalled_uploads_hold_only_their_reservation_and_the_rest_is_refused(small_daemon):
    budget = small_daemon.servicer.upload_budget
    frame_a = make_frame(1, width=1024, height=512)  # 6 MiB declared
    frame_b = make_frame(2, width=512, height=512)  # 3 MiB declared: 9 MiB > the 8 MiB budget
    header_a = chunks_for(frame_a)[0]
    header_a.ClearField("data")
    release = threading.Event()
    with grpc.insecure_channel(f"127.0.0.1:{small_daemon.port}") as channel:
        stub = pb_grpc.HyperSegStub(channel)
        hung = stub.UploadFrame.future(stalled(header_a, release), timeout=60)
        assert budget.wait_for(lambda held: held == 6 * MIB, timeout=20), "the daemon never received the stalled header"

        with pytest.raises(grpc.RpcError) as raised:
            stub.UploadFrame(iter(chunks_for(frame_b)), timeout=20)
        assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert raised.value.details().endswith(
            f"needs {3 * MIB} bytes while uploads in flight hold {6 * MIB} of the {8 * MIB} bytes they may"
            " use (--frame-store-mb): retry when they finish"
        )
        too_big = chunks_for(make_frame(3, width=1024, height=1024))  # 12 MiB: never fits
        with pytest.raises(grpc.RpcError) as raised:
            stub.UploadFrame(iter(too_big), timeout=20)
        assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED

        release.set()
        with pytest.raises(grpc.RpcError) as raised:
            hung.result()
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert f"upload ended after 0 of {6 * MIB} bytes" in raised.value.details()
        assert budget.reserved == 0
        assert stub.UploadFrame(iter(chunks_for(frame_b)), timeout=20).bytes_received == 3 * MIB
        assert budget.reserved == 0


def test_a_cancelled_stalled_upload_releases_its_reservation(small_daemon):
    budget = small_daemon.servicer.upload_budget
    header = chunks_for(make_frame(4, width=1024, height=512))[0]
    header.ClearField("data")
    release = threading.Event()
    with grpc.insecure_channel(f"127.0.0.1:{small_daemon.port}") as channel:
        hung = pb_grpc.HyperSegStub(channel).UploadFrame.future(stalled(header, release), timeout=60)
        assert budget.wait_for(lambda held: held == 6 * MIB, timeout=20)
        hung.cancel()
        assert budget.wait_for(lambda held: held == 0, timeout=20), "the cancelled upload kept its bytes"
    release.set()
