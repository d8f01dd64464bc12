"""``hyperseg batch --propagate``: clicks keyed once follow a textured disc; chunks equal one run."""

from __future__ import annotations

import dataclasses
import json

import cv2
import numpy as np
import pytest
from batch_shot import alpha_pixels

from hyperseg.batch.job import BatchJob
from hyperseg.batch.runner import BatchRunner
from hyperseg.batch.segmenter import LocalSegmenter
from hyperseg.cli import main
from hyperseg.imageio import FramePattern, read_image, write_image
from hyperseg.protocol.alpha_exr import clicks_json
from hyperseg.protocol.clicktracks import ClickTrack, ClickTracks
from hyperseg.protocol.errors import InputError

WIDTH, HEIGHT = 192, 144
FRAMES = list(range(1001, 1007))
START, VELOCITY, RADIUS = np.array([70.0, 72.0]), np.array([3.0, 1.0]), 40.0


def texture(seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).uniform(0, 1, (HEIGHT, WIDTH, 3)).astype(np.float32)
    smooth = cv2.GaussianBlur(noise, (0, 0), 2.0)
    return (smooth - smooth.min()) / (smooth.max() - smooth.min())


def centre(frame: int) -> np.ndarray:
    return START + (frame - FRAMES[0]) * VELOCITY


def textured_disc_frame(frame: int) -> np.ndarray:
    """A textured disc sliding (3, 1) px a frame over a still textured background."""
    dx, dy = centre(frame) - START
    moved = cv2.warpAffine(texture(1) * 0.6 + 0.4, np.float32([[1, 0, dx], [0, 1, dy]]), (WIDTH, HEIGHT),
                           borderMode=cv2.BORDER_REFLECT)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH] + 0.5
    cx, cy = centre(frame)
    disc = (x - cx) ** 2 + (y - cy) ** 2 <= RADIUS**2
    return np.where(disc[..., None], moved, texture(0)).astype(np.float32)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """An untrained tiny-config model: segmentation is not what these tests measure."""
    from hyperseg.model import ModelConfig, Predictor
    from hyperseg.model.checkpoint import save_checkpoint

    path = tmp_path_factory.mktemp("tiny") / "tiny.pt"
    save_checkpoint(path, Predictor.untrained(seed=0, config=ModelConfig.tiny(), device="cpu").model)
    return path


@pytest.fixture(scope="module")
def predictor(checkpoint):
    from hyperseg.model import Predictor

    return Predictor.load(checkpoint, device="cpu")


@pytest.fixture
def moving(tmp_path):
    """The shot on disk: plate EXRs, clicks keyed on 1001 only, and its job (forward propagation)."""
    plate = FramePattern(tmp_path / "plate" / "plate.%04d.exr")
    plate.directory.mkdir(parents=True)
    for frame in FRAMES:
        write_image(plate.path(frame), textured_disc_frame(frame), ["R", "G", "B"])
    x, y = centre(1001) + 0.5
    ClickTracks([ClickTrack("p1", "positive", {1001: (x + 6, y - 5)}),
                 ClickTrack("n1", "negative", {1001: (170.5, 20.5)})]).save(tmp_path / "clicks.json")
    return BatchJob(plate=str(plate.pattern), frames="1001-1006", clicks=str(tmp_path / "clicks.json"),
                    out=str(tmp_path / "roto" / "alpha.%04d.exr"), propagate="forward")


def run(job, predictor, only=None, resume=False):
    runner = BatchRunner(job, LocalSegmenter(predictor), ClickTracks.load(job.clicks), resume=resume, progress=False)
    return runner.run(only)


def test_clicks_keyed_once_follow_the_disc_and_every_frame_records_its_tracked_clicks(moving, predictor):
    report = run(moving, predictor)
    assert report.ok and report.written == FRAMES and report.switched_off == []
    assert moving.tracked_clicks == moving.out_pattern.directory / "clicks.tracked.json"
    tracked = ClickTracks.load(moving.tracked_clicks)
    p1, n1 = tracked.tracks
    assert sorted(p1.keys) == FRAMES and sorted(n1.keys) == FRAMES
    for frame in FRAMES:
        x, y = centre(frame) + 0.5
        assert p1.keys[frame] == pytest.approx((x + 6, y - 5), abs=1.0)
        assert n1.keys[frame] == pytest.approx((170.5, 20.5), abs=0.2)
        recorded = read_image(moving.out_pattern.path(frame)).hyperseg_metadata["clicks"]
        assert json.loads(recorded) == json.loads(clicks_json(*tracked.at(frame)))
    held_still = ClickTracks.load(moving.clicks).at(1006)[0][0]
    assert p1.keys[1006][0] - held_still[0] == pytest.approx(15.0, abs=1.0)


def test_a_chunk_of_a_propagated_job_writes_the_pixels_of_one_run(moving, predictor, tmp_path):
    run(moving, predictor)
    chunk = dataclasses.replace(moving, out=str(tmp_path / "chunk" / "alpha.%04d.exr"))
    report = run(chunk, predictor, only=[1005, 1006])
    assert report.written == [1005, 1006]
    for frame in (1005, 1006):
        whole, part = moving.out_pattern.path(frame), chunk.out_pattern.path(frame)
        assert alpha_pixels(part) == alpha_pixels(whole)
        assert read_image(part).hyperseg_metadata == read_image(whole).hyperseg_metadata
    assert chunk.tracked_clicks.read_text() == moving.tracked_clicks.read_text()


def test_resume_after_propagation_skips_every_frame_and_a_new_key_redoes_the_frames_it_moves(moving, predictor):
    run(moving, predictor)
    assert run(moving, predictor, resume=True).skipped == FRAMES
    tracks = ClickTracks.load(moving.clicks)
    p1, n1 = tracks.tracks
    corrected = ClickTrack("p1", "positive", {**p1.keys, 1004: (100.5, 80.5)})
    ClickTracks([corrected, n1]).save(moving.clicks)
    report = run(moving, predictor, resume=True)
    assert report.skipped == [1001, 1002, 1003] and report.written == [1004, 1005, 1006]
    assert ClickTracks.load(moving.tracked_clicks).tracks[0].keys[1004] == (100.5, 80.5)


def test_cli_propagates_both_ways_says_which_clicks_switched_off_and_saves_it_in_the_job(
        moving, checkpoint, capsys, tmp_path):
    write_image(moving.plate_pattern.path(1004), texture(7), ["R", "G", "B"])  # a cut: nothing matches
    tracks = ClickTracks.load(moving.clicks)
    x, y = centre(1006) + 0.5
    p1 = ClickTrack("p1", "positive", {**tracks.tracks[0].keys, 1006: (x + 6, y - 5)})
    ClickTracks([p1, tracks.tracks[1]]).save(moving.clicks)
    job_path = tmp_path / "shot.job.json"
    args = ["batch", "--local", "--checkpoint", str(checkpoint), "--device", "cpu", "--plate", moving.plate,
            "--range", "1001-1006", "--clicks", moving.clicks, "--out", moving.out, "--no-progress",
            "--propagate", "both", "--save-job", str(job_path)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "6 frames: 5 written, 0 already complete, 1 failed" in err
    assert "clicks switched off by propagation:\n  click 'n1' switched off at frame 1004 (tracking forward): " \
           "forward-backward check failed" in err
    assert "click 'p1' switched off at frame 1004 (tracking backward): forward-backward check failed" in err
    assert "1004: no positive click on frame 1004: every positive click is off there" in err
    assert json.loads(job_path.read_text())["propagate"] == "both"
    p1 = ClickTracks.load(moving.tracked_clicks).tracks[0]
    assert p1.position(1004) is None
    assert p1.position(1005) == pytest.approx(tuple(centre(1005) + 0.5 + (6, -5)), abs=1.0)  # from 1006 backward


def test_propagate_values_are_checked():
    with pytest.raises(InputError, match="propagate 'sideways' is not one of forward, backward, both"):
        BatchJob(plate="p.%04d.exr", frames="1", clicks="c.json", out="a.%04d.exr", propagate="sideways")
    old = {"version": 1, "plate": "p.%04d.exr", "frames": "1", "clicks": "c.json", "out": "a.%04d.exr"}
    assert BatchJob.from_dict(old).propagate is None


@pytest.mark.slow
def test_dask_chunks_of_a_propagated_job_equal_one_dask_task_and_track_like_a_local_run(
        moving, predictor, checkpoint, tmp_path):
    """Chunks are compared with one task on the same workers: torch's thread count on a worker can
    change the last bit of a pixel against this process, which is not propagation's doing."""
    from distributed import LocalCluster

    from hyperseg.batch.dask_runner import run_on_dask

    run(moving, predictor)
    farm = {chunk: dataclasses.replace(moving, out=str(tmp_path / f"chunk{chunk}" / "alpha.%04d.exr"),
                                       checkpoint=str(checkpoint), device="cpu", chunk=chunk) for chunk in (6, 2)}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        for job in farm.values():
            report = run_on_dask(job, cluster.scheduler_address, progress=False)
            assert report.ok and report.written == FRAMES, report.summary()
    one_task, chunked = farm[6], farm[2]
    for job in (one_task, chunked):
        assert job.tracked_clicks.read_text() == moving.tracked_clicks.read_text()
    for frame in FRAMES:
        paths = [j.out_pattern.path(frame) for j in (chunked, one_task, moving)]
        assert alpha_pixels(paths[0]) == alpha_pixels(paths[1])
        assert read_image(paths[0]).hyperseg_metadata == read_image(paths[2]).hyperseg_metadata


def test_a_missing_plate_frame_stops_propagation_before_any_frame_with_one_clear_line(moving, checkpoint, capsys):
    moving.plate_pattern.path(1003).unlink()
    args = ["batch", "--local", "--checkpoint", str(checkpoint), "--device", "cpu", "--plate", moving.plate,
            "--range", "1001-1006", "--clicks", moving.clicks, "--out", moving.out, "--no-progress", "--propagate"]
    assert main(args) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("hyperseg batch: error: --propagate tracks through every plate frame of the range: ")
    assert "plate.1003.exr" in line
    assert not moving.out_pattern.path(1001).exists()


def test_a_click_lost_on_an_occluded_frame_is_re_seeded_from_the_alpha_and_a_chunk_still_equals_one_run(
        moving, predictor, tmp_path):
    x, y = (int(v) for v in centre(1004) + np.array([6, -5]))
    occluded = textured_disc_frame(1004)
    occluded[y - 12:y + 12, x - 12:x + 12] = texture(7)[:24, :24]  # over the click: its own track fails
    write_image(moving.plate_pattern.path(1004), occluded, ["R", "G", "B"])
    report = run(moving, predictor)
    assert report.ok and report.written == FRAMES, report.summary()
    [line] = report.switched_off
    assert line.startswith("click 'p1' switched off at frame 1004 (tracking forward): forward-backward check")
    assert "re-seeded as click 'p1_r1004'" in line
    assert "the point of frame 1003's mask's core nearest where it was" in line
    tracked = ClickTracks.load(moving.tracked_clicks)
    assert [t.id for t in tracked.tracks] == ["p1", "n1", "p1_r1004"]
    assert tracked.tracks[2].off == [(1001, 1003)] and sorted(tracked.tracks[2].keys) == [1004, 1005, 1006]
    chunk = dataclasses.replace(moving, out=str(tmp_path / "chunk" / "alpha.%04d.exr"))
    report = run(chunk, predictor, only=[1005, 1006])
    assert report.written == [1005, 1006] and not chunk.out_pattern.path(1004).exists()
    assert report.switched_off == [line]
    for frame in (1005, 1006):
        whole, part = moving.out_pattern.path(frame), chunk.out_pattern.path(frame)
        assert alpha_pixels(part) == alpha_pixels(whole)
        assert read_image(part).hyperseg_metadata == read_image(whole).hyperseg_metadata
    assert chunk.tracked_clicks.read_text() == moving.tracked_clicks.read_text()
    early = dataclasses.replace(moving, out=str(tmp_path / "early" / "alpha.%04d.exr"))
    assert run(early, predictor, only=[1002]).written == [1002] and not early.tracked_clicks.exists()
