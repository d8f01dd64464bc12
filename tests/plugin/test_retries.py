"""Retries are gRPC's own (service config, gRFC A6); a daemon not listening yet is waited for.

Real servers on loopback port 0: the daemon itself, and for UNAVAILABLE answers the daemon's own
servicer behind a front that answers the first calls of each method as a draining daemon does.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent import futures

import grpc
import pytest
from late_daemon import LateDaemon
from plugin_plates import HEIGHT, WIDTH, make_plate

from hyperseg.daemon.config import DaemonConfig
from hyperseg.daemon.server import serve
from hyperseg.plugin import Client
from hyperseg.plugin.client import MAX_RETRIES, service_config
from hyperseg.plugin.frame_upload import FramePlane
from hyperseg.protocol.errors import DeadlineError, InputError, UnavailableError
from hyperseg.v1 import hyperseg_pb2 as pb
from hyperseg.v1 import hyperseg_pb2_grpc as pb_grpc

DRAINING = "the daemon is shutting down and takes no new work"


class DrainingFront(pb_grpc.HyperSegServicer):
    """The daemon's servicer behind a front that answers each method's first ``failures`` calls
    UNAVAILABLE (after reading an upload whole, so gRPC has sent everything it would resend)."""

    def __init__(self, daemon, failures: int) -> None:
        self.daemon = daemon
        self.failures = failures
        self.calls: Counter[str] = Counter()

    def _answer(self, method: str, request, context):
        self.calls[method] += 1
        if self.calls[method] <= self.failures:
            context.abort(grpc.StatusCode.UNAVAILABLE, DRAINING)
        return getattr(self.daemon, method)(request, context)

    def GetInfo(self, request, context):
        return self._answer("GetInfo", request, context)

    def MissingFrames(self, request, context):
        return self._answer("MissingFrames", request, context)

    def UploadFrame(self, request_iterator, context):
        return self._answer("UploadFrame", iter(list(request_iterator)), context)

    def Segment(self, request, context):
        return self._answer("Segment", request, context)


@pytest.fixture
def front(daemon):
    """Start a DrainingFront on port 0 with ``failures``; yields (address, front)."""
    servers = []

    def start(failures: int) -> tuple[str, DrainingFront]:
        servicer = DrainingFront(daemon.servicer, failures)
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        pb_grpc.add_HyperSegServicer_to_server(servicer, server)
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        servers.append(server)
        return f"127.0.0.1:{port}", servicer

    yield start
    for server in servers:
        server.stop(grace=1).wait()


def test_unavailable_answers_are_retried_by_grpc_uploads_included(front):
    address, servicer = front(failures=2)
    plate = make_plate(5).repeat(8, axis=0).repeat(8, axis=1)  # 2.5 MB: ten times gRPC's default retry buffer
    with Client(address, retries=2) as client:
        result = client.segment(plate, positive=[(28.5, 24.5)])
    assert result.alpha.shape == (HEIGHT * 8, WIDTH * 8)
    assert servicer.calls == {"GetInfo": 3, "MissingFrames": 3, "UploadFrame": 3, "Segment": 3}


def test_retries_stop_after_the_asked_number(front):
    address, servicer = front(failures=2)
    with Client(address, retries=1) as client, pytest.raises(UnavailableError, match="shutting down"):
        client.info()
    assert servicer.calls == {"GetInfo": 2}


def test_grpc_makes_at_most_five_attempts_so_a_late_daemon_is_waited_for_instead(front):
    address, servicer = front(failures=10)
    options = [("grpc.service_config", service_config(9))]
    with grpc.insecure_channel(address, options=options) as channel, pytest.raises(grpc.RpcError) as caught:
        pb_grpc.HyperSegStub(channel).GetInfo(pb.GetInfoRequest(), timeout=30)
    assert caught.value.code() is grpc.StatusCode.UNAVAILABLE
    assert servicer.calls == {"GetInfo": MAX_RETRIES + 1}
    with pytest.raises(InputError, match="from 0 to 4"):
        Client(address, retries=MAX_RETRIES + 1)


def test_grpc_does_not_resend_an_upload_larger_than_its_retry_buffer(front):
    """Why the client sets ``grpc.per_rpc_retry_buffer_size``: at gRPC's default (256 KiB) an upload
    larger than that is committed once sent, and its UNAVAILABLE answer is final."""
    small = FramePlane.from_array(make_plate(6))  # 36 KB
    large = FramePlane.from_array(make_plate(5).repeat(8, axis=0).repeat(8, axis=1))  # 2.5 MB
    outcomes = {}
    for name, plane in (("small", small), ("large", large)):
        address, servicer = front(failures=1)
        with grpc.insecure_channel(address, options=[("grpc.service_config", service_config(2))]) as channel:
            try:
                outcomes[name] = pb_grpc.HyperSegStub(channel).UploadFrame(plane.chunks(), timeout=30).sha256
            except grpc.RpcError as error:
                outcomes[name] = error.code()
        outcomes[f"{name} attempts"] = servicer.calls["UploadFrame"]
    assert outcomes == {"small": small.sha256, "small attempts": 2,
                        "large": grpc.StatusCode.UNAVAILABLE, "large attempts": 1}


def test_a_daemon_that_starts_late_is_waited_for(predictor):
    with LateDaemon(lambda port: serve(DaemonConfig(port=port), predictor=predictor)) as late:
        with Client(late.address, connect_timeout=60) as client:
            info = client.info()
        assert late.knocked.is_set()
    assert info["checkpoint_id"] == "untrained-0"


def test_a_restart_within_the_calls_deadline_is_waited_for_and_a_longer_outage_is_reported(predictor):
    def start(port):
        return serve(DaemonConfig(port=port), predictor=predictor)

    with LateDaemon(start) as first, Client(first.address, timeout=60, connect_timeout=60) as client:
        assert client.info()["checkpoint_id"] == "untrained-0"
        first.daemon.stop(grace=1)
        first.daemon = None
        with LateDaemon(start, port=first.port) as restarted:
            assert client.info()["checkpoint_id"] == "untrained-0"  # the call waited for the restart
            assert restarted.knocked.is_set()
        client.timeout, client.connect_timeout = 0.5, 0.5
        with pytest.raises(DeadlineError):  # down longer than the call's deadline
            client.info()
        with pytest.raises(UnavailableError, match=r"not ready after 0\.5 s"):  # the next call asks first
            client.info()


def test_a_daemon_that_stays_down_fails_after_connect_timeout_naming_the_address():
    started = time.monotonic()
    unreachable = r"daemon unreachable at 127\.0\.0\.1:1 \(not ready after 0\.3 s\)"
    with Client("127.0.0.1:1", connect_timeout=0.3) as client, pytest.raises(UnavailableError, match=unreachable):
        client.info()
    assert time.monotonic() - started >= 0.3
