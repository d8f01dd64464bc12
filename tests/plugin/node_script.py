"""A Nuke script in the stand-in for node tests: the ``script`` fixture and helpers to drive a HyperSeg node."""

from __future__ import annotations

from pathlib import Path

import nuke
import numpy as np
import pytest
from plugin_plates import HEIGHT, WIDTH

from hyperseg.imageio import read_image
from hyperseg.plugin.nuke import node as hyperseg_node


@pytest.fixture
def script(tmp_path):
    """A fresh Nuke script of 64x48, frames 1-3, saved as tmp_path/shots/shot.nk (caches beside it)."""
    nuke.standin_reset(WIDTH, HEIGHT)
    nuke.root()["first_frame"].setValue(1)
    nuke.root()["last_frame"].setValue(3)
    nuke.scriptSaveAs(str(tmp_path / "shots" / "shot.nk"))
    yield nuke
    hyperseg_node._jobs().join_all(timeout=60)  # no job of this test may finish inside the next one
    nuke.standin_reset(WIDTH, HEIGHT)


def make_node(plate_files: Path, address: str, through_dot: bool = False, extension: str = "exr"):
    """A Read of ``plate_files/plate.####.<extension>`` (through a Dot if asked) under a new HyperSeg node."""
    read = nuke.nodes.Read(file=str(plate_files / f"plate.%04d.{extension}"))
    upstream = read
    if through_dot:
        upstream = nuke.nodes.Dot()
        upstream.setInput(0, read)
    upstream.setSelected(True)
    node = hyperseg_node.create()
    node["server"].setValue(address)
    return node


def wait_for_status(node, prefix: str, timeout: float = 60.0) -> str:
    nuke.standin_process_events(until=lambda: node["status"].value().startswith(prefix), timeout=timeout)
    return node["status"].value()


def alpha_of(path: Path) -> np.ndarray:
    return read_image(path).channel("A")


def cache_of(node) -> Path:
    return hyperseg_node.cache_directory(node)
