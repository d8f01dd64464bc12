"""Farm runs: a real Dask LocalCluster of worker processes, and the OpenCue spec pyoutline writes."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from batch_shot import FRAMES, alpha_pixels

from hyperseg.batch.dask_runner import run_on_dask
from hyperseg.batch.runner import BatchRunner
from hyperseg.batch.segmenter import LocalSegmenter
from hyperseg.cli import main
from hyperseg.imageio import read_image
from hyperseg.protocol.clicktracks import ClickTracks


@pytest.mark.slow
def test_dask_local_cluster_run_equals_a_local_run(shot, checkpoint, predictor):
    from distributed import LocalCluster

    local_job = shot.job(checkpoint=str(checkpoint), device="cpu", out=str(shot.root / "local" / "a.%04d.exr"))
    BatchRunner(local_job, LocalSegmenter(predictor), ClickTracks.load(shot.clicks), progress=False).run()

    job = shot.job(checkpoint=str(checkpoint), device="cpu", chunk=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        report = run_on_dask(job, cluster.scheduler_address, progress=False)
    assert report.ok, report.summary()
    assert report.written == list(FRAMES)
    outputs = shot.outputs()
    assert sorted(outputs) == list(FRAMES)
    for frame, path in outputs.items():
        reference = local_job.out_pattern.path(frame)
        assert alpha_pixels(path) == alpha_pixels(reference), f"frame {frame} differs from the local run"
        assert read_image(path).hyperseg_metadata == read_image(reference).hyperseg_metadata


def emit(shot, checkpoint, tmp_path, *extra: str) -> tuple[Path, ET.Element]:
    job_path = shot.root / "shot010.job.json"
    executable = str(Path(sys.executable).with_name("hyperseg"))
    args = [
        "batch", "--plate", shot.plate, "--range", "1001-1006", "--clicks", str(shot.clicks), "--out", shot.out,
        "--checkpoint", str(checkpoint), "--device", "cpu", "--chunk", "4", "--save-job", str(job_path),
        "--emit", "opencue", "--show", "demo", "--shot", "sh010", "--farm-executable", executable, *extra,
    ]
    assert main(args) == 0
    spec = shot.root / "shot010.opencue.xml"
    return job_path, ET.fromstring(spec.read_text())


def test_opencue_spec_carries_range_chunk_and_chunk_command(shot, checkpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    job_path, spec = emit(shot, checkpoint, tmp_path)
    assert spec.tag == "spec"
    assert (spec.findtext("show"), spec.findtext("shot")) == ("demo", "sh010")
    job = spec.find("job")
    assert job.get("name") == "shot010"
    (layer,) = job.find("layers")
    assert layer.get("name") == "hyperseg_batch"
    assert layer.findtext("range") == "1001-1006"
    assert layer.findtext("chunk") == "4"
    command = layer.findtext("cmd")
    assert f"batch --job {job_path.absolute()} --frames-only #FRAME_START#-#FRAME_END# --resume" in command
    assert not (tmp_path / "home").exists(), "pyoutline's session staging must not be left behind"


def test_opencue_keeps_stepped_ranges(shot, checkpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    _, spec = emit(shot, checkpoint, tmp_path, "--range", "1001-1006x2")
    assert spec.find("job/layers/layer").findtext("range") == "1001,1003,1005"


@pytest.mark.slow
def test_opencue_chunk_command_runs_that_chunk_only(shot, checkpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    _, spec = emit(shot, checkpoint, tmp_path)
    command = spec.find("job/layers/layer").findtext("cmd")
    # What RQD does for the second chunk of 4 over 1001-1006: substitute the tokens, run in a shell.
    task = command.replace("#FRAME_START#", "1005").replace("#FRAME_END#", "1006")
    done = subprocess.run(task, shell=True, capture_output=True, text=True, cwd="/", env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert sorted(shot.outputs()) == [1005, 1006]
    assert "2 frames: 2 written" in done.stderr
