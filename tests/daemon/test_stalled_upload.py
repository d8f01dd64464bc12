"""Uploads that declare a big plane and then send nothing: memory is reserved against the budget
before it is allocated, and what does not fit is refused with RESOURCE_EXHAUSTED."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import grpc
import pytest
from daemon_wire import chunks_for, make_frame, start

from hyperseg.v1 import hyperseg_pb2 as pb
from hyperseg.v1 import hyperseg_pb2_grpc as pb_grpc

MIB = 1024 * 1024
GIB = 1024 * MIB


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


def resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_three_stalled_1_gib_uploads_leave_a_real_daemons_memory_alone(tmp_path):
    """The issue's case: 4096x4096x16 float32 headers and no data took RSS from 1.2 to 4.2 GB."""
    with (tmp_path / "serve.log").open("w") as log:
        run_stalled_uploads_against_a_real_daemon(tmp_path, log)


def run_stalled_uploads_against_a_real_daemon(tmp_path, log) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "hyperseg.cli", "serve", "--port", "0", "--device", "cpu", "--untrained-seed", "0",
         "--frame-store-mb", "2048"], stdout=subprocess.PIPE, stderr=log, text=True,
    )
    release = threading.Event()
    try:
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", process.stdout.readline())
        assert match, (tmp_path / "serve.log").read_text()
        with grpc.insecure_channel(f"127.0.0.1:{match.group(1)}") as channel:
            stub = pb_grpc.HyperSegStub(channel)
            before = resident_bytes(process.pid)
            refused = threading.Event()
            streams = []
            for seed in range(3):
                header = pb.FrameChunk(header=pb.FrameHeader(
                    sha256=f"{seed:064x}", width=4096, height=4096, channel_names=[f"c{i}" for i in range(16)],
                    dtype=pb.DTYPE_FLOAT32, total_bytes=4096 * 4096 * 16 * 4,
                ))
                stream = stub.UploadFrame.future(stalled(header, release), timeout=120)
                stream.add_done_callback(lambda done: refused.set())
                streams.append(stream)
            assert refused.wait(60), "the third 1 GiB upload should be refused at once"
            done = [s for s in streams if s.done()]
            assert len(done) == 1 and done[0].code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            counters = stub.GetInfo(pb.GetInfoRequest(), timeout=10).counters
            assert counters.upload_bytes_reserved == 2 * GIB
            grown = resident_bytes(process.pid) - before
            assert grown < 64 * MIB, f"stalled uploads made the daemon resident {grown / MIB:.0f} MiB larger"
            release.set()
            for stream in streams:
                assert stream.exception() is not None
            assert stub.GetInfo(pb.GetInfoRequest(), timeout=10).counters.upload_bytes_reserved == 0
    finally:
        release.set()
        process.send_signal(signal.SIGTERM)
        process.wait(60)
