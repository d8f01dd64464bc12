"""One colour path: the same EXR plate reaches the network as the same array by every route.

Routes: ``hyperseg segment --server`` (the client reads and uploads), ``hyperseg batch --server``
with pixels (read here) and with ``--send paths`` (the daemon reads), ``hyperseg batch`` in-process
(the runner over a Predictor), and the node in the stand-in, uploading and with "daemon reads plate
files". The model is the real untrained Predictor, keeping a copy of every frame it encodes; each
route gets a fresh daemon, so no cache answers in its place. Needs the model in-process, so it runs
on the server's Python only.
"""

from __future__ import annotations

import numpy as np
import pytest
from node_script import make_node, wait_for_status

from hyperseg.batch.job import BatchJob
from hyperseg.batch.runner import BatchRunner
from hyperseg.batch.segmenter import LocalSegmenter
from hyperseg.cli import main
from hyperseg.daemon.config import DaemonConfig
from hyperseg.daemon.server import serve
from hyperseg.imageio import read_image
from hyperseg.model import Predictor
from hyperseg.protocol.clicktracks import ClickTrack, ClickTracks

CLICK = (28.5, 24.5)


class RecordingPredictor(Predictor):
    """The real model, keeping a copy of each frame it is asked to encode: what reaches the network."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.encoded: list[np.ndarray] = []

    def encode_frame(self, rgb, previous=None, proxy=None):
        self.encoded.append(np.array(rgb, copy=True))
        return super().encode_frame(rgb, previous, proxy)


@pytest.fixture(scope="module")
def recorder() -> RecordingPredictor:
    return RecordingPredictor.untrained(seed=0, device="cpu")


def srgb_encode(linear: np.ndarray) -> np.ndarray:
    """IEC 61966-2-1, written out here so the rule is checked against the standard, not itself."""
    v = np.clip(np.asarray(linear, dtype=np.float64), 0.0, None)
    return np.clip(np.where(v <= 0.0031308, 12.92 * v, 1.055 * np.maximum(v, 0.0031308) ** (1 / 2.4) - 0.055), 0, 1)


def received(recorder: RecordingPredictor, allow_root, route) -> np.ndarray:
    """The one frame the network got while ``route(address)`` ran against a fresh daemon."""
    config = DaemonConfig(host="127.0.0.1", port=0, cache_mb=64, frame_store_mb=64, grpc_threads=8,
                          allow_roots=(allow_root,))
    recorder.encoded.clear()
    running = serve(config, predictor=recorder)
    try:
        route(f"127.0.0.1:{running.port}")
    finally:
        running.stop(grace=2)
    assert len(recorder.encoded) == 1, f"the network encoded {len(recorder.encoded)} frames"
    return recorder.encoded[0]


@pytest.mark.slow
@pytest.mark.parametrize("colorspace", [None, "sRGB"], ids=["the files own", "named sRGB"])
def test_the_same_plate_reaches_the_network_as_the_same_array_by_every_route(
    script, plate_files, recorder, tmp_path, colorspace
):
    plate = plate_files / "plate.0001.exr"
    named = [] if colorspace is None else ["--colorspace", colorspace]
    clicks = tmp_path / "clicks.json"
    ClickTracks([ClickTrack("p1", "positive", {1: CLICK})]).save(clicks)

    def segment(address: str) -> None:
        assert main(["segment", str(plate), "-p", f"{CLICK[0]},{CLICK[1]}", "--server", address,
                     "--out", str(tmp_path / "segment.exr"), *named]) == 0

    def batch(send: str):
        def run(address: str) -> None:
            assert main(["batch", "--plate", str(plate_files / "plate.%04d.exr"), "--range", "1", "--clicks",
                         str(clicks), "--out", str(tmp_path / send / "alpha.%04d.exr"), "--server", address,
                         "--send", send, "--no-progress", *named]) == 0
        return run

    def batch_in_process(_address: str) -> None:
        job = BatchJob(plate=str(plate_files / "plate.%04d.exr"), frames="1", clicks=str(clicks),
                       out=str(tmp_path / "local" / "alpha.%04d.exr"), colorspace=colorspace)
        report = BatchRunner(job, LocalSegmenter(recorder), ClickTracks.load(clicks), progress=False).run([1])
        assert report.ok, report.summary()

    def node(send_paths: bool):
        def run(address: str) -> None:
            made = make_node(plate_files, address)
            for knob, value in (("live", False), ("previous_frame", False), ("send_paths", send_paths),
                                ("input_colorspace", colorspace or "scene_linear")):
                made[knob].setValue(value)
            made["add_positive"].execute()
            made["segment_frame"].execute()
            assert wait_for_status(made, "frame 1:").startswith("frame 1: ")
        return run

    routes = {"segment": segment, "batch pixels": batch("pixels"), "batch paths": batch("paths"),
              "batch in-process": batch_in_process, "node upload": node(False), "node paths": node(True)}
    arrays = {name: received(recorder, tmp_path, route) for name, route in routes.items()}

    stored = read_image(plate).rgb()
    expected = srgb_encode(stored) if colorspace is None else np.clip(stored, 0, 1)
    for name, array in arrays.items():
        np.testing.assert_allclose(array, expected, atol=2e-6, err_msg=name)
    # Outside Nuke every route applies the one rule to the same file: bit for bit the same values.
    for name in ("batch pixels", "batch paths", "batch in-process"):
        np.testing.assert_array_equal(arrays[name], arrays["segment"], err_msg=name)
    if colorspace is None:  # Nuke reads the float EXR as linear, unchanged: so does the node's plate
        for name in ("node upload", "node paths"):
            np.testing.assert_array_equal(arrays[name], arrays["segment"], err_msg=name)
