"""A tiny shot on disk: 6 plate frames of 64x48 as EXR, clicks.json, an untrained checkpoint.

Its fixtures are re-exported by conftest.py; tests import the helpers from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from hyperseg.batch.job import BatchJob
from hyperseg.imageio import FramePattern, read_image, write_image
from hyperseg.protocol.clicktracks import ClickTrack, ClickTracks

WIDTH, HEIGHT = 64, 48
FRAMES = range(1001, 1007)


@dataclass(frozen=True)
class Shot:
    root: Path
    plate: str
    clicks: Path
    out: str

    def job(self, **overrides) -> BatchJob:
        fields = {"plate": self.plate, "frames": "1001-1006", "clicks": str(self.clicks), "out": self.out}
        return BatchJob(**{**fields, **overrides})

    def outputs(self) -> dict[int, Path]:
        pattern = FramePattern(self.out)
        return {f: pattern.path(f) for f in FRAMES if pattern.path(f).exists()}


def plate_frame(frame: int) -> np.ndarray:
    """A disc moving right over a horizontal gradient, (H, W, 3) float32."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32) + 0.5
    cx, cy = 20.0 + 3.0 * (frame - 1001), 24.0
    disc = ((x - cx) ** 2 + (y - cy) ** 2) < 10.0**2
    rgb = np.stack([x / WIDTH, np.full_like(x, 0.3), 1.0 - x / WIDTH], axis=-1)
    rgb[disc] = (0.9, 0.8, 0.1)
    return rgb.astype(np.float32)


def write_shot(root: Path) -> Shot:
    (root / "plate").mkdir(parents=True)
    plate = FramePattern(root / "plate" / "plate.%04d.exr")
    for frame in FRAMES:
        write_image(plate.path(frame), plate_frame(frame), ["R", "G", "B"])
    clicks = ClickTracks(
        [
            ClickTrack("p1", "positive", {1001: (20.5, 24.5), 1006: (35.5, 24.5)}),
            ClickTrack("n1", "negative", {1001: (4.5, 4.5)}, off=[(1004, 1005)]),
        ]
    )
    clicks.save(root / "clicks.json")
    out = str(root / "roto" / "alpha.%04d.exr")
    return Shot(root, str(root / "plate" / "plate.%04d.exr"), root / "clicks.json", out)


@pytest.fixture
def shot(tmp_path) -> Shot:
    return write_shot(tmp_path / "shot")


@pytest.fixture(scope="session")
def checkpoint(tmp_path_factory) -> Path:
    """An untrained model saved with the lead's checkpoint API (what ``--checkpoint`` loads)."""
    from hyperseg.model import Predictor
    from hyperseg.model.checkpoint import save_checkpoint

    path = tmp_path_factory.mktemp("weights") / "untrained.pt"
    save_checkpoint(path, Predictor.untrained(seed=0, device="cpu").model)
    return path


@pytest.fixture(scope="session")
def predictor(checkpoint):
    from hyperseg.model import Predictor

    return Predictor.load(checkpoint, device="cpu")


def alpha_pixels(path: Path) -> bytes:
    """The decoded pixels of an output EXR, as bytes, for exact comparison."""
    return read_image(path).pixels.tobytes()
