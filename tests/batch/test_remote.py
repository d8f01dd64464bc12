"""Batch through a real daemon on a loopback port: pixels or paths, a daemon that starts late, one that stays down."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest
from batch_shot import alpha_pixels
from late_daemon import LateDaemon

from hyperseg.batch.runner import BatchRunner
from hyperseg.batch.segmenter import LocalSegmenter, RemoteSegmenter
from hyperseg.daemon.config import DaemonConfig
from hyperseg.daemon.server import serve
from hyperseg.imageio import read_image
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


def test_a_daemon_that_starts_late_is_waited_for(shot, predictor):
    with LateDaemon(lambda port: serve(replace(CONFIG, port=port), predictor=predictor)) as late:
        job = shot.job(frames="1001-1002", server=late.address)
        report = run(job, RemoteSegmenter.connect(job.server, timeout=30, connect_timeout=60))
        assert late.knocked.is_set()
    assert report.ok, report.summary()
    assert report.written == [1001, 1002]


def test_a_daemon_that_stays_down_fails_the_run_quickly_with_reasons(shot):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    job = shot.job(server=f"127.0.0.1:{port}")
    report = run(job, RemoteSegmenter.connect(job.server, timeout=5, connect_timeout=0.2))
    assert [f.frame for f in report.failed] == list(range(1001, 1007))
    assert report.failed[0].reason == f"daemon unreachable at 127.0.0.1:{port} (not ready after 0.2 s)"
    assert report.failed[1].reason == "not attempted: the daemon stayed unreachable"
    assert shot.outputs() == {}
