"""Many clients at once, latest-wins, deadlines and cancellation against a real daemon."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
import numpy as np
import pytest
from daemon_wire import make_frame, points, upload
from polling import wait_until

from hyperseg.imageio import decode_exr_bytes
from hyperseg.v1 import hyperseg_pb2 as pb
from hyperseg.v1 import hyperseg_pb2_grpc as pb_grpc


def test_eight_clients_twenty_requests_each(daemon):
    frames = [make_frame(300 + k % 4) for k in range(8)]  # pairs of clients share a frame
    served = daemon.servicer.requests_served

    def client(k: int) -> list[tuple[float, int]]:
        rng = np.random.default_rng(k)
        results = []
        with grpc.insecure_channel(f"127.0.0.1:{daemon.port}") as channel:
            stub = pb_grpc.HyperSegStub(channel)
            sha = upload(stub, frames[k])
            for _ in range(20):
                x, y = rng.uniform(0, 32), rng.uniform(0, 24)
                reply = stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(sha256=sha), positive=points((x, y)),
                                                       proxy=0.25, client_id=f"client-{k}"), timeout=120)
                alpha = decode_exr_bytes(reply.exr).channel("A")
                results.append((float(alpha.mean()), alpha.shape[0]))
        return results

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(client, range(8)))
    assert [len(r) for r in results] == [20] * 8
    assert all(height == 24 for r in results for _, height in r)
    assert daemon.servicer.requests_served - served == 160
    with grpc.insecure_channel(f"127.0.0.1:{daemon.port}") as channel:
        info = pb_grpc.HyperSegStub(channel).GetInfo(pb.GetInfoRequest())
    assert info.counters.requests_served >= 160


class HeldRequest:
    """A request the model worker is running but cannot finish until ``result()`` releases it."""

    def __init__(self, future, release) -> None:
        self._future, self._release = future, release

    def result(self):
        self._release()
        return self._future.result()


def _occupy_worker(stub, daemon, seed: int) -> HeldRequest:
    """Start an uncached request and hold the worker inside its backbone pass until released.

    The real predictor runs; a gate in front of its ``encode_frame`` keeps the worker busy for as
    long as the test needs, so requests sent meanwhile are guaranteed to queue on any machine.
    """
    predictor = daemon.servicer.worker.predictor
    entered, release = threading.Event(), threading.Event()
    real_encode = predictor.encode_frame

    def held_encode(*args, **kwargs):
        entered.set()
        release.wait(60)
        return real_encode(*args, **kwargs)

    predictor.encode_frame = held_encode
    sha = upload(stub, make_frame(seed))
    future = stub.Segment.future(pb.SegmentRequest(frame=pb.FrameRef(sha256=sha), positive=points((3.5, 3.5))))
    assert entered.wait(30), "the worker never started the blocking request"

    def unblock() -> None:
        del predictor.encode_frame  # later requests use the predictor's own method again
        release.set()

    return HeldRequest(future, unblock)


def _drain_fifo(stub, seed: int) -> None:
    """Run a sentinel request on a new frame (one backbone run): the FIFO worker is done with all before it."""
    sha = upload(stub, make_frame(seed))
    stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(sha256=sha), positive=points((3.5, 3.5))), timeout=120)


def test_newer_click_on_same_frame_supersedes_queued_one(stub, daemon):
    worker = daemon.servicer.worker
    sha = upload(stub, make_frame(310))
    superseded = worker.superseded
    blocker = _occupy_worker(stub, daemon, 311)

    def request(x: float, client: str) -> pb.SegmentRequest:
        return pb.SegmentRequest(frame=pb.FrameRef(sha256=sha), positive=points((x, 5.5)), proxy=0.25,
                                 client_id=client, frame_number=1001)

    older = stub.Segment.future(request(5.5, "artist"))
    wait_until(lambda: worker.queued == 1, "one queued request")
    other_client = stub.Segment.future(request(6.5, "someone-else"))
    wait_until(lambda: worker.queued == 2, "two queued requests")
    newer = stub.Segment.future(request(7.5, "artist"))

    with pytest.raises(grpc.RpcError) as raised:
        older.result()
    assert raised.value.code() == grpc.StatusCode.ABORTED
    assert "superseded" in raised.value.details()
    assert blocker.result().width == 32
    assert newer.result().timings.cache_hit
    assert other_client.result().width == 32
    assert worker.superseded == superseded + 1


def test_expired_deadline_is_dropped_before_running(stub, daemon):
    worker = daemon.servicer.worker
    sha = upload(stub, make_frame(320))
    encodes = worker.encode_calls
    blocker = _occupy_worker(stub, daemon, 321)
    with pytest.raises(grpc.RpcError) as raised:
        stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(sha256=sha), positive=points((3.5, 3.5)), proxy=0.5),
                     timeout=0.2)
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    blocker.result()
    _drain_fifo(stub, 322)
    assert worker.encode_calls == encodes + 2  # the blocker and the sentinel: the late request never ran


def test_cancelled_request_is_dropped(stub, daemon):
    worker = daemon.servicer.worker
    sha = upload(stub, make_frame(330))
    encodes = worker.encode_calls
    blocker = _occupy_worker(stub, daemon, 331)
    future = stub.Segment.future(pb.SegmentRequest(frame=pb.FrameRef(sha256=sha), positive=points((3.5, 3.5))))
    wait_until(lambda: worker.queued == 1, "one queued request")
    future.cancel()
    wait_until(lambda: worker.queued == 0, "the cancelled request to leave the queue")
    blocker.result()
    _drain_fifo(stub, 332)
    assert worker.encode_calls == encodes + 2  # the blocker and the sentinel: the cancelled request never ran
