"""Plates whose data window is not their display window: only the data window is segmented and
every output keeps both windows, in-process and through a daemon (pixels or paths)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from batch_shot import HEIGHT, WIDTH, alpha_pixels, plate_frame

from hyperseg.batch.runner import BatchRunner
from hyperseg.batch.segmenter import LocalSegmenter, RemoteSegmenter
from hyperseg.daemon.config import DaemonConfig
from hyperseg.daemon.server import serve
from hyperseg.imageio import FramePattern, Window, read_image, to_network, write_image
from hyperseg.protocol.clicktracks import ClickTracks

CONFIG = DaemonConfig(host="127.0.0.1", port=0, cache_mb=64, frame_store_mb=64, grpc_threads=8)
# A 256x200 format whose pixels are the 64x48 plate at (12, 16): 6% of the format (as a 911x876
# data window in a 2048x1556 format is 25%).
FORMAT = Window(0, 0, 256, 200)
DATA = Window(12, 16, WIDTH, HEIGHT)


def small_data_window_plates(shot) -> None:
    plate = FramePattern(shot.plate)
    for frame in (1001, 1002):
        write_image(plate.path(frame), plate_frame(frame), ["R", "G", "B"], data_window=DATA,
                    display_window=FORMAT)
    moved = ClickTracks.load(shot.clicks).to_dict()
    for click in moved["clicks"]:
        click["keys"] = {k: [x + DATA.x, y + DATA.y] for k, (x, y) in click["keys"].items()}
    ClickTracks.from_dict(moved).save(shot.clicks)


def run(job, segmenter):
    try:
        return BatchRunner(job, segmenter, ClickTracks.load(job.clicks), progress=False).run()
    finally:
        segmenter.close()


def test_local_run_segments_only_the_data_window(shot, predictor):
    small_data_window_plates(shot)
    report = run(shot.job(frames="1001-1002"), LocalSegmenter(predictor))
    assert report.ok, report.summary()
    image = read_image(shot.outputs()[1002])
    assert (image.display_window, image.data_window) == (FORMAT, DATA)
    assert image.pixels.shape == (HEIGHT, WIDTH, 1)
    positive, negative = ClickTracks.load(shot.clicks).at(1002)
    encoding = predictor.encode_frame(to_network(plate_frame(1002), "linear"),
                                      previous=to_network(plate_frame(1001), "linear"))
    expected = predictor.predict_encoded(encoding, [(x - DATA.x, y - DATA.y) for x, y in positive],
                                         [(x - DATA.x, y - DATA.y) for x, y in negative]).masks[0]
    np.testing.assert_array_equal(image.channel("A"), expected.astype(np.float16).astype(np.float32))


@pytest.mark.parametrize("send", ["pixels", "paths"])
def test_daemon_run_keeps_windows_and_equals_the_local_run(shot, predictor, send):
    small_data_window_plates(shot)
    local = shot.job(frames="1001-1002", out=str(shot.root / "local" / "a.%04d.exr"))
    assert run(local, LocalSegmenter(predictor)).ok
    daemon = serve(replace(CONFIG, allow_roots=(shot.root,)), predictor=predictor)
    try:
        job = shot.job(frames="1001-1002", server=daemon.address, send=send)
        report = run(job, RemoteSegmenter.connect(daemon.address, send=send))
    finally:
        daemon.stop(grace=1)
    assert report.ok, report.summary()
    for frame, path in shot.outputs().items():
        image = read_image(path)
        assert (image.display_window, image.data_window) == (FORMAT, DATA)
        assert alpha_pixels(path) == alpha_pixels(local.out_pattern.path(frame))


def test_a_click_off_the_data_window_fails_the_frame_with_a_clear_reason(shot, predictor):
    small_data_window_plates(shot)
    data = ClickTracks.load(shot.clicks).to_dict()
    data["clicks"][1]["keys"] = {"1001": [200.5, 150.5]}  # inside the format, outside the pixels
    ClickTracks.from_dict(data).save(shot.clicks)
    report = run(shot.job(frames="1001"), LocalSegmenter(predictor))
    assert report.failed[0].reason == (
        "InputError: negative click 0 at (200.5, 150.5) is off the frame's pixels: its data window spans"
        " x in [12, 76), y in [16, 64) from the display window's top-left, y down"
    )
