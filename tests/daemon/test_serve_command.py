"""`hyperseg serve` as a real subprocess: refuses unsafe binds, serves, drains on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading

import grpc
from daemon_wire import chunks_for, make_frame, points, upload
from grpc_health.v1 import health_pb2, health_pb2_grpc
from polling import wait_until

from hyperseg.imageio import decode_exr_bytes
from hyperseg.v1 import hyperseg_pb2 as pb
from hyperseg.v1 import hyperseg_pb2_grpc as pb_grpc

SERVE = [sys.executable, "-m", "hyperseg.cli", "serve"]


def test_refuses_public_bind_without_token():
    done = subprocess.run([*SERVE, "--host", "0.0.0.0", "--port", "0"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "requires a token" in done.stderr and "--token-file" in done.stderr


def test_serves_then_drains_in_flight_request_on_sigterm():
    """SIGTERM lands while an upload is provably inside the daemon: its first bytes are counted."""
    process = subprocess.Popen(
        [*SERVE, "--port", "0", "--device", "cpu", "--untrained-seed", "0", "--cache-mb", "16"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        assert match, f"unexpected first line {line!r}; stderr: {process.stderr.read() if process.poll() else ''}"
        with grpc.insecure_channel(f"127.0.0.1:{match.group(1)}") as channel:
            health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
            assert health.status == health_pb2.HealthCheckResponse.SERVING
            stub = pb_grpc.HyperSegStub(channel)
            assert stub.GetInfo(pb.GetInfoRequest()).checkpoint_id == "untrained-0"
            sha = upload(stub, make_frame(400))
            reply = stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(sha256=sha), positive=points((5.5, 5.5))))
            assert decode_exr_bytes(reply.exr).channel("A").shape == (24, 32)

            held_frame = make_frame(401)
            pieces = chunks_for(held_frame, chunk=1024)
            release = threading.Event()

            def held_upload():
                yield pieces[0]
                assert release.wait(60), "the test never released the upload"
                yield from pieces[1:]

            received = stub.GetInfo(pb.GetInfoRequest()).counters.frame_bytes_received
            in_flight = stub.UploadFrame.future(held_upload())
            wait_until(lambda: stub.GetInfo(pb.GetInfoRequest()).counters.frame_bytes_received > received,
                       "the daemon to receive the held upload's first chunk")
            watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(), timeout=60)
            statuses = (answer.status for answer in watch)
            assert next(statuses) == health_pb2.HealthCheckResponse.SERVING
            process.send_signal(signal.SIGTERM)
            assert next(statuses) == health_pb2.HealthCheckResponse.NOT_SERVING, "no drain after SIGTERM"
            watch.cancel()
            release.set()
            reply = in_flight.result(timeout=60)
            assert (reply.sha256, reply.bytes_received) == (pieces[0].header.sha256, held_frame.nbytes)
        assert process.wait(timeout=60) == 0
        log = process.stderr.read()
        assert "received SIGTERM" in log and "draining" in log and "stopped" in log
        assert "Segment from" in log and "-> OK" in log
        assert f"{reply.sha256[:12]} 32x24, {held_frame.nbytes} bytes" in log, "the held upload was not served"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
