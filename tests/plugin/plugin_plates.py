"""Plugin tests: a real daemon on 127.0.0.1 (port 0) with a tiny untrained model, and float EXR plates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

WIDTH, HEIGHT = 64, 48


@pytest.fixture(scope="session")
def predictor():
    from hyperseg.model import Predictor

    return Predictor.untrained(seed=0, device="cpu")


@pytest.fixture(scope="module")
def daemon(predictor) -> Iterator:
    from hyperseg.daemon.config import DaemonConfig
    from hyperseg.daemon.server import serve

    config = DaemonConfig(host="127.0.0.1", port=0, cache_mb=64, frame_store_mb=64, grpc_threads=8)
    running = serve(config, predictor=predictor)
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
