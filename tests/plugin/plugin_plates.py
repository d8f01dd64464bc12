"""Plugin tests: a real daemon on 127.0.0.1 (port 0) with a tiny untrained model, and float EXR plates.

Where this Python has the model (torch), the daemon runs in-process. A host Python without it (the
Python 3.10 run of ``make test``, as in Nuke 15) starts ``hyperseg serve`` as a separate process
with the interpreter named by ``HYPERSEG_SERVER_PYTHON``, exactly as a compositor's machine talks
to a daemon; without that variable those tests fail, saying so.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

WIDTH, HEIGHT = 64, 48
SERVER_PYTHON = "HYPERSEG_SERVER_PYTHON"


def model_here() -> bool:
    """Whether this Python can run the model (the server extra is installed)."""
    return importlib.util.find_spec("torch") is not None


class DaemonProcess:
    """``hyperseg serve --untrained-seed N --port 0`` in its own process; ``port`` once it listens."""

    def __init__(self, seed: int = 0, token: str | None = None) -> None:
        python = os.environ.get(SERVER_PYTHON)
        if not python:
            raise RuntimeError(
                f"Python {sys.version.split()[0]} here has no torch: set {SERVER_PYTHON} to a Python with "
                "hyperseg[server] so the tests can start a daemon"
            )
        self._scratch = tempfile.TemporaryDirectory(prefix="hyperseg-daemon-")
        command = [python, "-m", "hyperseg.cli", "serve", "--port", "0", "--untrained-seed", str(seed),
                   "--device", "cpu", "--cache-mb", "64", "--frame-store-mb", "64", "--log-level", "WARNING"]
        if token is not None:
            token_file = Path(self._scratch.name) / "token"
            token_file.write_text(token + "\n")
            token_file.chmod(0o600)
            command += ["--token-file", str(token_file)]
        self._log = Path(self._scratch.name) / "serve.log"
        with self._log.open("w") as log:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
        line = self.process.stdout.readline()  # "hyperseg serve: listening on 127.0.0.1:PORT", or EOF
        found = re.search(r"listening on \S+:(\d+)$", line.strip())
        if found is None:
            self.stop()
            raise RuntimeError(f"hyperseg serve did not start: {line.strip()} {self._log.read_text()[-2000:]}")
        self.port = int(found.group(1))

    def stop(self, grace: float | None = None) -> None:
        self.process.terminate()
        self.process.wait(timeout=30 + (grace or 0))
        self.process.stdout.close()
        self._scratch.cleanup()


def start_daemon(seed: int = 0, token: str | None = None, predictor=None):
    """A daemon serving untrained weights of ``seed`` (in-process where the model is here); ``.port``, ``.stop()``."""
    if not model_here():
        return DaemonProcess(seed, token)
    from hyperseg.daemon.config import DaemonConfig
    from hyperseg.daemon.server import serve
    from hyperseg.model import Predictor

    config = DaemonConfig(host="127.0.0.1", port=0, token=token, cache_mb=64, frame_store_mb=64, grpc_threads=8)
    return serve(config, predictor=predictor or Predictor.untrained(seed=seed, device="cpu"))


@pytest.fixture(scope="session")
def predictor():
    from hyperseg.model import Predictor

    return Predictor.untrained(seed=0, device="cpu")


@pytest.fixture(scope="session")
def daemon(request) -> Iterator:
    """One daemon for the whole run (a second process costs a torch import on a host Python)."""
    running = start_daemon(0, predictor=request.getfixturevalue("predictor") if model_here() else None)
    yield running
    running.stop(grace=2)


@pytest.fixture
def address(daemon) -> str:
    return f"127.0.0.1:{daemon.port}"


def make_plate(seed: int, width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """A (H, W, 3) float32 frame: a bright disc on a noisy background, so clicks have something to find."""
    rng = np.random.default_rng(seed)
    pixels = rng.random((height, width, 3), dtype=np.float32) * 0.3
    yy, xx = np.mgrid[0:height, 0:width]
    disc = (xx - width * 0.45) ** 2 + (yy - height * 0.5) ** 2 < (min(width, height) * 0.3) ** 2
    pixels[disc] = np.array([0.9, 0.7, 0.2], dtype=np.float32)
    return pixels


@pytest.fixture
def plate_files(tmp_path) -> Path:
    """plate.0001.exr .. plate.0003.exr (float RGB EXRs, written with OpenImageIO)."""
    from hyperseg.imageio import write_image

    directory = tmp_path / "plates"
    directory.mkdir()
    for frame in (1, 2, 3):
        write_image(directory / f"plate.{frame:04d}.exr", make_plate(frame), ("R", "G", "B"))
    return directory
