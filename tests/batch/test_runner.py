"""BatchRunner in-process over a real Predictor (untrained weights) and real EXR files."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from batch_shot import FRAMES, HEIGHT, WIDTH, alpha_pixels, plate_frame

from hyperseg.batch.runner import BatchRunner
from hyperseg.batch.segmenter import LocalSegmenter
from hyperseg.imageio import (
    FramePattern,
    Window,
    is_complete_exr,
    network_rgb,
    read_image,
    rewindow,
    to_network,
    write_image,
)
from hyperseg.protocol.alpha_exr import clicks_json
from hyperseg.protocol.clicktracks import ClickTracks


def run(shot, predictor, only=None, *, resume=False, **job_fields):
    """Run the shot's job (``job_fields`` override it), all its frames or ``only`` these."""
    job = shot.job(**job_fields)
    segmenter = LocalSegmenter(predictor, hypotheses=job.hypotheses)
    return BatchRunner(job, segmenter, ClickTracks.load(job.clicks), resume=resume, progress=False).run(only)


def test_writes_one_complete_alpha_per_frame_with_metadata(shot, predictor):
    report = run(shot, predictor)
    assert report.ok and report.written == list(FRAMES) and report.skipped == []
    outputs = shot.outputs()
    assert sorted(outputs) == list(FRAMES)
    tracks = ClickTracks.load(shot.clicks)
    for frame, path in outputs.items():
        assert is_complete_exr(path, ["A"])
        image = read_image(path)
        assert image.channel_names == ("A",)
        assert image.pixels.shape == (HEIGHT, WIDTH, 1)
        meta = image.hyperseg_metadata
        assert meta["frame"] == str(frame)
        assert meta["checkpoint"] == predictor.checkpoint_id
        assert json.loads(meta["clicks"]) == json.loads(clicks_json(*tracks.at(frame)))
    # The negative click is off on 1004-1005 (inclusive) and the positive one moves 3 px a frame.
    assert json.loads(read_image(outputs[1004]).hyperseg_metadata["clicks"])["negative"] == []
    assert json.loads(read_image(outputs[1003]).hyperseg_metadata["clicks"]) == {
        "positive": [[26.5, 24.5]], "negative": [[4.5, 4.5]]
    }
    assert not [p for p in (shot.root / "roto").iterdir() if p.name.startswith(".")]


def test_alpha_is_the_best_hypothesis_of_the_predictor(shot, predictor):
    run(shot, predictor, [1003])
    positive, negative = ClickTracks.load(shot.clicks).at(1003)
    encoding = predictor.encode_frame(to_network(plate_frame(1003), "linear"),
                                      previous=to_network(plate_frame(1002), "linear"))
    expected = predictor.predict_encoded(encoding, positive, negative).masks[0]
    written = read_image(shot.outputs()[1003]).channel("A")
    np.testing.assert_array_equal(written, expected.astype(np.float16).astype(np.float32))


def test_all_hypotheses_become_channels(shot, predictor):
    report = run(shot, predictor, [1001], hypotheses="all")
    assert report.ok
    image = read_image(shot.outputs()[1001])
    assert image.channel_names == ("A", *(f"hypotheses.h{k}" for k in range(predictor.hypotheses)))
    np.testing.assert_array_equal(image.channel("A"), image.channel("hypotheses.h0"))


def test_a_chunk_gets_the_same_previous_frame_context_as_a_whole_run(shot, predictor):
    run(shot, predictor, frames="1001-1004")
    whole = {f: alpha_pixels(p) for f, p in shot.outputs().items()}
    for path in shot.outputs().values():
        path.unlink()
    report = run(shot, predictor, [1003, 1004], frames="1001-1004")
    assert report.written == [1003, 1004]
    assert {f: alpha_pixels(p) for f, p in shot.outputs().items()} == {1003: whole[1003], 1004: whole[1004]}
    assert whole[1003] != whole[1004]


def test_resume_skips_complete_frames_and_redoes_corrupt_stale_and_missing_ones(shot, predictor):
    run(shot, predictor)
    outputs = shot.outputs()
    reference = {f: alpha_pixels(p) for f, p in outputs.items()}
    stamps = {f: p.stat().st_mtime_ns for f, p in outputs.items()}
    data = outputs[1002].read_bytes()
    outputs[1002].write_bytes(data[: len(data) // 2])  # truncated: a partial write
    outputs[1005].unlink()
    leftover = outputs[1006].with_name(f".{outputs[1006].name}.tmp-4242-deadbeef.exr")
    leftover.write_bytes(b"half a file")  # what a SIGKILLed writer leaves
    assert not is_complete_exr(outputs[1002])

    report = run(shot, predictor, resume=True)
    assert report.ok
    assert report.written == [1002, 1005]
    assert report.skipped == [1001, 1003, 1004, 1006]
    assert {f: alpha_pixels(p) for f, p in shot.outputs().items()} == reference
    assert all(outputs[f].stat().st_mtime_ns == stamps[f] for f in report.skipped)
    assert not leftover.exists()


def test_resume_redoes_frames_whose_clicks_changed(shot, predictor):
    run(shot, predictor, frames="1001-1003")
    data = json.loads(shot.clicks.read_text())
    data["clicks"][1]["off"] = [[1003, 1005]]  # the negative click is now also off on 1003
    shot.clicks.write_text(json.dumps(data))
    report = run(shot, predictor, resume=True, frames="1001-1003")
    assert report.written == [1003] and report.skipped == [1001, 1002]
    assert json.loads(read_image(shot.outputs()[1003]).hyperseg_metadata["clicks"])["negative"] == []


def test_failed_frames_are_reported_with_reasons_and_the_rest_written(shot, predictor):
    plate = FramePattern(shot.plate)
    plate.path(1002).unlink()
    plate.path(1005).write_bytes(plate.path(1005).read_bytes()[:200])
    report = run(shot, predictor)
    assert not report.ok
    assert report.written == [1001, 1004]
    reasons = {f.frame: f.reason for f in report.failed}
    assert sorted(reasons) == [1002, 1003, 1005, 1006]
    assert reasons[1002].startswith("plate 1002: NotFoundError: image file not found")
    assert reasons[1003].startswith("previous frame's plate 1002: NotFoundError")
    assert reasons[1005].startswith("plate 1005: CorruptFileError") and "plate.1005.exr" in reasons[1005]
    assert reasons[1006].startswith("previous frame's plate 1005: CorruptFileError")
    summary = report.summary()
    assert "6 frames: 2 written, 0 already complete, 4 failed" in summary
    assert "failed frames:\n  1002: plate 1002" in summary
    assert sorted(shot.outputs()) == report.written


def test_frame_without_a_positive_click_fails_clearly(shot, predictor):
    data = json.loads(shot.clicks.read_text())
    data["clicks"][0]["off"] = [[1002, 1002]]
    shot.clicks.write_text(json.dumps(data))
    report = run(shot, predictor, frames="1001-1003")
    assert report.written == [1001, 1003]
    assert report.failed[0].frame == 1002 and "no positive click on frame 1002" in report.failed[0].reason


def test_frames_outside_the_job_are_refused(shot, predictor):
    with pytest.raises(ValueError, match=r"frames \[1020\] are not in the job's range 1001-1006"):
        run(shot, predictor, [1001, 1020])


def test_data_and_display_windows_are_kept(shot, predictor):
    # Overscan plate: data window 4 px larger than the 64x48 display window on every side.
    plate = FramePattern(shot.plate)
    for frame in (1001, 1002):
        big = np.zeros((HEIGHT + 8, WIDTH + 8, 3), np.float32)
        big[4:-4, 4:-4] = plate_frame(frame)
        write_image(plate.path(frame), big, ["R", "G", "B"], data_window=Window(-4, -4, WIDTH + 8, HEIGHT + 8),
                    display_window=Window(0, 0, WIDTH, HEIGHT), pixel_aspect=2.0)
    report = run(shot, predictor, frames="1001-1002")
    assert report.ok
    image = read_image(shot.outputs()[1002])
    assert image.data_window == Window(-4, -4, WIDTH + 8, HEIGHT + 8)
    assert image.display_window == Window(0, 0, WIDTH, HEIGHT)
    assert image.pixel_aspect == 2.0
    # The whole data window is segmented, overscan included; clicks move 4 px onto it.
    positive, negative = ClickTracks.load(shot.clicks).at(1002)
    encoding = predictor.encode_frame(network_rgb(read_image(plate.path(1002))),
                                      previous=network_rgb(read_image(plate.path(1001))))
    expected = predictor.predict_encoded(encoding, [(x + 4, y + 4) for x, y in positive],
                                         [(x + 4, y + 4) for x, y in negative]).masks[0]
    np.testing.assert_array_equal(image.channel("A"), expected.astype(np.float16).astype(np.float32))


def test_rewindow_pastes_overlap_and_zero_fills():
    plane = np.arange(12, dtype=np.float32).reshape(3, 4)
    out = rewindow(plane, Window(0, 0, 4, 3), Window(1, -1, 4, 3))
    np.testing.assert_array_equal(out, [[0, 0, 0, 0], [1, 2, 3, 0], [5, 6, 7, 0]])


def test_outputs_directory_is_created(shot, predictor):
    assert not (shot.root / "roto").exists()
    run(shot, predictor, [1001])
    assert os.listdir(shot.root / "roto") == ["alpha.1001.exr"]
