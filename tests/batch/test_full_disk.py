"""``hyperseg batch`` when its outputs cannot be written: a real child process whose files stop
growing at a few hundred bytes (RLIMIT_FSIZE, the kernel cutting writes short as a full disk does)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hyperseg.imageio import is_complete_exr

# Runs argv[2:] with its files stopped at argv[1] bytes (RLIMIT_FSIZE; SIGXFSZ ignored, so writes past it
# fail without a signal; both survive exec). A launcher process rather than subprocess's preexec_fn: Python
# run between fork and exec in a pytest process that has served gRPC in-process can abort in gRPC's fork handlers.
FULL_DISK = """
import os, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
os.execv(sys.argv[2], sys.argv[2:])
"""


def batch(shot, checkpoint, frames: str, max_bytes: int | None = None) -> subprocess.CompletedProcess:
    args = [
        sys.executable, "-m", "hyperseg.cli", "batch", "--local", "--checkpoint", str(checkpoint), "--device",
        "cpu", "--plate", shot.plate, "--range", frames, "--clicks", str(shot.clicks), "--out", shot.out,
        "--no-progress",
    ]
    if max_bytes is not None:
        args = [sys.executable, "-c", FULL_DISK, str(max_bytes), *args]
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_full_disk_fails_every_frame_with_its_reason_and_keeps_good_frames(shot, checkpoint):
    good = batch(shot, checkpoint, "1001-1002")
    assert good.returncode == 0, good.stderr
    before = {frame: path.read_bytes() for frame, path in shot.outputs().items()}
    assert sorted(before) == [1001, 1002]

    full = batch(shot, checkpoint, "1001-1003", max_bytes=300)

    assert full.returncode == 1, full.stderr
    assert "3 frames: 0 written, 0 already complete, 3 failed" in full.stderr
    for frame in (1001, 1002, 1003):
        assert f"  {frame}: WriteError: cannot write {shot.root}/roto/alpha.{frame}.exr: " in full.stderr
    assert "Traceback" not in full.stderr
    outputs = shot.outputs()
    assert sorted(outputs) == [1001, 1002], "no truncated frame may appear under its final name"
    assert {frame: path.read_bytes() for frame, path in outputs.items()} == before
    assert all(is_complete_exr(path, ["A"]) for path in outputs.values())
    assert sorted(p.name for p in (shot.root / "roto").iterdir()) == ["alpha.1001.exr", "alpha.1002.exr"]
