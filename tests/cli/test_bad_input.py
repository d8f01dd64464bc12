"""Every bad input to ``hyperseg segment`` and ``hyperseg batch`` gets one clear line and its exit
code, never a traceback: real files, real processes where the exit itself is the point."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from hyperseg.cli import main
from hyperseg.imageio import Window, read_image, write_alpha_exr, write_image
from hyperseg.protocol.clicktracks import ClickTrack, ClickTracks


@pytest.fixture
def shot(tmp_path):
    """plate.1001.exr (32x24), clicks.json, a damaged EXR and a 100000x100000 format plate."""
    rgb = np.random.default_rng(1).random((24, 32, 3), dtype=np.float32)
    write_image(tmp_path / "plate.1001.exr", rgb, ["R", "G", "B"])
    write_image(tmp_path / "huge_format.exr", rgb, ["R", "G", "B"], data_window=Window(50, 60, 32, 24),
                display_window=Window(0, 0, 100_000, 100_000))
    ClickTracks([ClickTrack("p1", "positive", {1001: (5.5, 5.5)})]).save(tmp_path / "clicks.json")
    write_alpha_exr(tmp_path / "good.exr", np.zeros((8, 8), np.float32))
    data = bytearray((tmp_path / "good.exr").read_bytes())
    data[data.index(b"v2f\x00")] = 0xFF  # OpenImageIO's error text then holds a byte that is not UTF-8
    (tmp_path / "damaged.exr").write_bytes(bytes(data))
    return tmp_path


def segment(shot, checkpoint, *args):
    return main(["segment", "--checkpoint", str(checkpoint), "--device", "cpu", *args])


def batch(shot, checkpoint, *args, frames="1001"):
    return main(["batch", "--local", "--checkpoint", str(checkpoint), "--device", "cpu", "--plate",
                 str(shot / "plate.%04d.exr"), "--range", frames, "--clicks", str(shot / "clicks.json"),
                 "--out", str(shot / "roto" / "a.%04d.exr"), "--no-progress", *args])


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    return err


def test_a_100000_pixel_format_costs_only_its_data_window(shot, checkpoint, capsys):
    out = shot / "alpha.exr"
    assert segment(shot, checkpoint, str(shot / "huge_format.exr"), "-p", "60.5,70.5", "--out", str(out)) == 0
    image = read_image(out)
    assert image.display_window == Window(0, 0, 100_000, 100_000)
    assert image.data_window == Window(50, 60, 32, 24)


def test_a_damaged_exr_with_non_utf8_error_text(shot, checkpoint, capsys):
    assert segment(shot, checkpoint, str(shot / "damaged.exr"), "-p", "1.5,1.5", "--out", str(shot / "a.exr")) == 1
    assert one_line(capsys).startswith(f"hyperseg segment: cannot decode image {shot}/damaged.exr: ")


def test_an_unwritable_out(shot, checkpoint, capsys):
    assert segment(shot, checkpoint, str(shot / "plate.1001.exr"), "-p", "1.5,1.5", "--out", "/sys/a.exr") == 1
    assert one_line(capsys).startswith("hyperseg segment: cannot write /sys/a.exr: ")


def test_a_proxy_the_network_cannot_run_at(shot, checkpoint, capsys):
    write_image(shot / "thin.exr", np.zeros((10, 20, 3), np.float32), ["R", "G", "B"])
    assert segment(shot, checkpoint, str(shot / "thin.exr"), "-p", "1.5,1.5", "--proxy", "0.05",
                   "--out", str(shot / "a.exr")) == 1
    assert one_line(capsys) == (
        "hyperseg segment: at proxy 0.05 the 20x10 frame runs at 1x1 pixels; the network needs at least 2"
        " per side: raise the proxy or send a larger frame"
    )


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--device", "tpu", "argument --device: device must be auto, cpu, cuda or cuda:N, got 'tpu'"),
        ("--proxy", "0.01", "argument --proxy: proxy must be a scale in [0.05, 1], got '0.01'"),
    ],
)
def test_bad_segment_flags_exit_2_with_one_line(shot, flag, value, message):
    done = subprocess.run(
        [sys.executable, "-m", "hyperseg.cli", "segment", str(shot / "plate.1001.exr"), "-p", "1,1", "--out",
         str(shot / "a.exr"), flag, value], capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == f"hyperseg segment: error: {message}"
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("kind", ["directory", "latin-1"])
def test_clicks_that_are_not_a_utf8_file(shot, checkpoint, capsys, kind):
    clicks = shot / "clicks.json"
    clicks.unlink()
    if kind == "directory":
        clicks.mkdir()
        expected = f"hyperseg batch: error: clicks file {clicks} is a directory, not a file"
    else:
        clicks.write_bytes('{"version": 1, "clicks": [{"id": "é"}]}'.encode("latin-1"))
        expected = f"hyperseg batch: error: clicks file {clicks} is not UTF-8 text (byte 34 is 0xe9)"
    assert batch(shot, checkpoint) == 2
    assert one_line(capsys) == expected


def test_a_range_of_two_billion_frames_is_refused_at_once(shot, checkpoint, capsys):
    assert batch(shot, checkpoint, frames="1-2000000000") == 2
    assert one_line(capsys) == (
        "hyperseg batch: error: frame range '1-2000000000' names more than 1000000 frames, the limit"
    )


def test_an_output_folder_that_cannot_be_made(shot, checkpoint, capsys):
    code = main(["batch", "--local", "--checkpoint", str(checkpoint), "--plate", str(shot / "plate.%04d.exr"),
                 "--range", "1001", "--clicks", str(shot / "clicks.json"), "--out", "/sys/roto/a.%04d.exr",
                 "--no-progress"])
    assert code == 2
    assert one_line(capsys).startswith("hyperseg batch: error: cannot create the output folder /sys/roto: ")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("frames", 1001, "batch job field 'frames' must be a non-empty string, got 1001"),
        ("checkpoint", 5, "batch job field 'checkpoint' must be a non-empty string or null, got 5"),
        ("token_file", ["a"], "batch job field 'token_file' must be a non-empty string or null, got ['a']"),
        ("server", {}, "batch job field 'server' must be a non-empty string or null, got {}"),
        ("device", ["cpu"], "device ['cpu'] is not one of auto, cpu, cuda"),
        ("proxy", True, "proxy must be a number or null, got True"),
        ("chunk", "10", "chunk must be a whole number of frames, at least 1, got '10'"),
        ("hypotheses", {}, "hypotheses {} is not one of best, all"),
    ],
)
def test_job_files_with_wrong_types(shot, capsys, field, value, message):
    job = {"version": 1, "plate": "plate.%04d.exr", "frames": "1001", "clicks": "clicks.json",
           "out": "roto/a.%04d.exr", field: value}
    path = shot / "shot.job.json"
    path.write_text(json.dumps(job))
    assert main(["batch", "--job", str(path), "--no-progress"]) == 2
    assert one_line(capsys) == f"hyperseg batch: error: {path}: {message}"




def test_a_previous_frame_of_another_format(shot, checkpoint, capsys):
    assert segment(shot, checkpoint, str(shot / "plate.1001.exr"), "-p", "1.5,1.5", "--previous",
                   str(shot / "huge_format.exr"), "--out", str(shot / "a.exr")) == 1
    assert one_line(capsys) == (
        f"hyperseg segment: previous frame {shot}/huge_format.exr has display window"
        " Window(x=0, y=0, width=100000, height=100000), the frame Window(x=0, y=0, width=32, height=24)"
    )
