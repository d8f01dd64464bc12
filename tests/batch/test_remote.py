"""Batch through a real daemon on a loopback port: pixels or paths, and a daemon that starts late."""

from __future__ import annotations

import socket
from dataclasses import replace

import grpc
import pytest
from batch_shot import alpha_pixels

from hyperseg.batch.runner import BatchRunner
from hyperseg.batch.segmenter import LocalSegmenter, RemoteSegmenter
from hyperseg.daemon.config import DaemonConfig
from hyperseg.daemon.server import serve
from hyperseg.imageio import read_image
from hyperseg.plugin.backoff import RetryPolicy
from hyperseg.protocol.clicktracks import ClickTracks

CONFIG = DaemonConfig(host="127.0.0.1", port=0, cache_mb=64, frame_store_mb=64, grpc_threads=8)


def run(job, segmenter, **kw):
    try:
        return BatchRunner(job, segmenter, ClickTracks.load(job.clicks), progress=False, **kw).run()
    finally:
        segmenter.close()


@pytest.mark.parametrize("send", ["pixels", "paths"])
def test_daemon_run_equals_in_process_run(shot, predictor, send):
    local = shot.job(frames="1001-1003", out=str(shot.root / "local" / "a.%04d.exr"))
    run(local, LocalSegmenter(predictor))
    daemon = serve(replace(CONFIG, allow_roots=(shot.root,)), predictor=predictor)
    try:
        job = shot.job(frames="1001-1003", server=daemon.address, send=send)
        report = run(job, RemoteSegmenter.connect(daemon.address, send=send))
    finally:
        daemon.stop(grace=1)
    assert report.ok, report.summary()
    for frame, path in shot.outputs().items():
        assert alpha_pixels(path) == alpha_pixels(local.out_pattern.path(frame))
        assert read_image(path).hyperseg_metadata["checkpoint"] == predictor.checkpoint_id


def test_a_briefly_unreachable_daemon_is_retried_with_backoff(shot, predictor):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = []
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        """The injected clock: the daemon comes up during the second back-off wait.

        That wait ends when the client's channel reports READY (gRPC's own reconnect back-off
        decides when it retries the socket), not after a fixed time.
        """
        waits.append(seconds)
        if len(waits) == 2:
            started.append(serve(replace(CONFIG, port=port), predictor=predictor))
            grpc.channel_ready_future(segmenter.client._channel).result(timeout=60)

    try:
        job = shot.job(frames="1001-1002", server=f"127.0.0.1:{port}")
        retry = RetryPolicy(retries=8, initial_seconds=0.2, multiplier=2.0, max_seconds=1.0, jitter=0.0)
        segmenter = RemoteSegmenter.connect(job.server, timeout=30)
        report = run(job, segmenter, retry=retry, sleep=sleep)
    finally:
        for daemon in started:
            daemon.stop(grace=1)
    assert report.ok, report.summary()
    assert report.written == [1001, 1002]
    assert waits == [0.2, 0.4], "exponential backoff while the daemon was down, none once it was up"


def test_a_daemon_that_stays_down_fails_the_run_quickly_with_reasons(shot):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    job = shot.job(server=f"127.0.0.1:{port}")
    retry = RetryPolicy(retries=2, initial_seconds=0.01, jitter=0.0)
    report = run(job, RemoteSegmenter.connect(job.server, timeout=5), retry=retry)
    assert [f.frame for f in report.failed] == list(range(1001, 1007))
    assert report.failed[0].reason.startswith("daemon unreachable after 3 attempts")
    assert report.failed[1].reason == "not attempted: the daemon stayed unreachable"
    assert shot.outputs() == {}
