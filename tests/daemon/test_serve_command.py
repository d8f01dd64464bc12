"""`hyperseg serve` as a real subprocess: refuses unsafe binds, serves, drains on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import grpc
from daemon_wire import make_frame, points, upload
from grpc_health.v1 import health_pb2, health_pb2_grpc

from hyperseg.imageio import decode_exr_bytes
from hyperseg.v1 import hyperseg_pb2 as pb
from hyperseg.v1 import hyperseg_pb2_grpc as pb_grpc

SERVE = [sys.executable, "-m", "hyperseg.cli", "serve"]


def test_refuses_public_bind_without_token():
    done = subprocess.run([*SERVE, "--host", "0.0.0.0", "--port", "0"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "requires a token" in done.stderr and "--token-file" in done.stderr


def test_serves_then_drains_in_flight_request_on_sigterm():
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
            in_flight = stub.Segment.future(pb.SegmentRequest(frame=pb.FrameRef(sha256=sha),
                                                              positive=points((5.5, 5.5))))
            time.sleep(0.3)
            process.send_signal(signal.SIGTERM)
            reply = in_flight.result(timeout=60)
            assert decode_exr_bytes(reply.exr).channel("A").shape == (24, 32)
        assert process.wait(timeout=60) == 0
        log = process.stderr.read()
        assert "received SIGTERM" in log and "draining" in log and "stopped" in log
        assert "Segment from" in log and "-> OK" in log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
