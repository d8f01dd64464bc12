"""``hyperseg batch`` as users run it: real subprocesses, SIGKILL and --resume, job files, exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from batch_shot import FRAMES, alpha_pixels
from polling import wait_until

from hyperseg.batch.job import BatchJob
from hyperseg.cli import main
from hyperseg.imageio import FramePattern, is_complete_exr, read_image


def batch_args(shot, checkpoint, out: str | None = None) -> list[str]:
    return [
        "batch", "--local", "--checkpoint", str(checkpoint), "--device", "cpu", "--plate", shot.plate,
        "--range", "1001-1006", "--clicks", str(shot.clicks), "--out", out or shot.out, "--no-progress",
    ]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "hyperseg.cli", *args]


@pytest.mark.slow
def test_sigkill_then_resume_equals_an_uninterrupted_run(shot, checkpoint):
    reference_out = str(shot.root / "reference" / "alpha.%04d.exr")
    done = subprocess.run(cli(*batch_args(shot, checkpoint, reference_out)), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    reference = FramePattern(reference_out)

    killed = subprocess.Popen(cli(*batch_args(shot, checkpoint)), stderr=subprocess.PIPE)
    roto = shot.root / "roto"
    wait_until(lambda: len(list(roto.glob("alpha.*.exr"))) >= 2 or killed.poll() is not None,
               "the batch to write two frames", timeout=300, interval=0.02)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert killed.returncode == -signal.SIGKILL
    interrupted = sorted(shot.outputs())
    assert 2 <= len(interrupted) < len(FRAMES), "the kill should land mid-run"
    assert all(is_complete_exr(p, ["A"]) for p in shot.outputs().values()), "atomic writes: no partial outputs"

    resumed = subprocess.run(cli(*batch_args(shot, checkpoint), "--resume"), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    redone = len(FRAMES) - len(interrupted)
    assert f"{redone} written, {len(interrupted)} already complete, 0 failed" in resumed.stderr
    outputs = shot.outputs()
    assert sorted(outputs) == list(FRAMES)
    for frame, path in outputs.items():
        assert alpha_pixels(path) == alpha_pixels(reference.path(frame)), f"frame {frame} differs"
        assert read_image(path).hyperseg_metadata == read_image(reference.path(frame)).hyperseg_metadata
    assert sorted(os.listdir(roto)) == sorted(p.name for p in outputs.values()), "temp files left behind"


@pytest.mark.slow
def test_failures_are_summarised_and_exit_non_zero(shot, checkpoint, capsys):
    FramePattern(shot.plate).path(1006).unlink()
    args = batch_args(shot, checkpoint)
    args[args.index("1001-1006")] = "1005-1006"
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "2 frames: 1 written, 0 already complete, 1 failed" in err
    assert "failed frames:\n  1006: plate 1006: NotFoundError: image file not found" in err
    assert sorted(shot.outputs()) == [1005]


@pytest.mark.slow
def test_a_saved_job_reruns_with_one_command(shot, checkpoint, capsys, monkeypatch):
    job_path = shot.root / "shot010.job.json"
    args = [*batch_args(shot, checkpoint), "--save-job", str(job_path)]
    args[args.index("1001-1006")] = "1001-1002"
    assert main(args) == 0
    saved = json.loads(job_path.read_text())
    assert saved["plate"] == "plate/plate.%04d.exr" and saved["clicks"] == "clicks.json"
    assert saved["frames"] == "1001-1002" and saved["server"] is None
    # The shot folder moves; the job still runs from anywhere.
    moved = shot.root.parent / "moved"
    shot.root.rename(moved)
    monkeypatch.chdir(moved.parent)
    capsys.readouterr()
    assert main(["batch", "--job", str(moved / "shot010.job.json"), "--resume", "--no-progress"]) == 0
    assert "2 frames: 0 written, 2 already complete, 0 failed" in capsys.readouterr().err


def test_job_flags_override_a_job_file(shot, tmp_path):
    from hyperseg.cli import build_parser
    from hyperseg.cli.batch import job_from_args

    job_path = tmp_path / "job.json"
    shot.job(server="gpu01:50051", chunk=5).save(job_path)
    args = build_parser("batch").parse_args(["batch", "--job", str(job_path), "--local", "--chunk", "2"])
    job = job_from_args(args)
    assert job.server is None and job.chunk == 2
    assert job.plate == shot.plate and job.frames == "1001-1006"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--range", "1001-1010"], "missing --plate, --clicks, --out"),
        (["--plate", "p.%04d.exr", "--range", "10-1", "--clicks", "c.json", "--out", "a.%04d.exr"],
         "the end 1 is before the start 10"),
        (["--plate", "p.exr", "--range", "1", "--clicks", "c.json", "--out", "a.%04d.exr"],
         "no frame number token"),
        (["--plate", "p.%04d.exr", "--range", "1", "--clicks", "c.json", "--out", "a.%04d.png"], "must end in .exr"),
        (["--plate", "p.%04d.exr", "--range", "1", "--clicks", "c.json", "--out", "a.%04d.exr", "--emit", "opencue"],
         "--emit opencue needs the job in a file"),
        (["--job", "/nonexistent/job.json"], "batch job file not found"),
        (["--plate", "p.%04d.exr", "--range", "1", "--clicks", "/nonexistent/c.json", "--out", "a.%04d.exr"],
         "clicks file not found"),
    ],
)
def test_bad_jobs_exit_2_with_a_clear_message(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["batch", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hyperseg batch: error: ") and message in err


def test_frames_only_outside_the_job_is_refused(shot, capsys):
    job_path = shot.root / "job.json"
    shot.job().save(job_path)
    assert main(["batch", "--job", str(job_path), "--frames-only", "2000-2010"]) == 2
    assert "no frames of the job's range 1001-1006 lie in --frames-only 2000-2010" in capsys.readouterr().err


def test_job_file_round_trip_keeps_paths_relative(shot):
    job = shot.job(checkpoint=str(shot.root / "weights" / "w.pt"), proxy=0.5, hypotheses="all")
    path = shot.root / "jobs" / "job.json"
    path.parent.mkdir()
    job.save(path)
    data = json.loads(path.read_text())
    assert data["version"] == 1 and data["checkpoint"] == "../weights/w.pt"
    loaded = BatchJob.load(path)
    assert Path(loaded.plate).resolve() == Path(shot.plate).resolve()
    assert (loaded.proxy, loaded.hypotheses, loaded.frame_list) == (0.5, "all", list(FRAMES))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, "version 2 is not supported"),
        ({"chunk": 0}, "chunk must be a whole number of frames, at least 1"),
        ({"proxy": 1.5}, r"proxy must be a scale in \[0.05, 1\], got 1.5"),
        ({"hypotheses": "some"}, "hypotheses 'some' is not one of best, all"),
        ({"colour": "red"}, "unknown batch job field"),
        ({"out": "plate/plate.%04d.exr"}, "would overwrite the plate"),
    ],
)
def test_bad_job_files_are_refused(shot, change, message):
    path = shot.root / "job.json"
    shot.job().save(path)
    data = {**json.loads(path.read_text()), **change}
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=message):
        BatchJob.load(path)
