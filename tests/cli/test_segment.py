import numpy as np
import OpenImageIO as oiio
import pytest

from hyperseg.cli import main
from hyperseg.imageio import Window, read_image, to_network, write_image
from hyperseg.model import Predictor
from hyperseg.model.checkpoint import save_checkpoint
from hyperseg.model.config import ModelConfig


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp("ckpt") / "tiny.pt"
    predictor = Predictor.untrained(seed=2, config=ModelConfig.tiny())
    save_checkpoint(path, predictor.model)
    return path, predictor


@pytest.fixture
def plate(tmp_path):
    rgb = np.random.default_rng(0).random((40, 60, 3), dtype=np.float32)
    path = tmp_path / "plate.1001.exr"
    write_image(path, rgb, ("R", "G", "B"), display_window=Window(0, 0, 60, 40), pixel_aspect=2.0)
    return path, rgb


def test_segment_in_process_writes_the_predictors_alpha(tmp_path, checkpoint, plate, capsys):
    ckpt, predictor = checkpoint
    path, rgb = plate
    out = tmp_path / "alpha.exr"
    status = main(["segment", str(path), "-p", "10.5,20.5", "-n", "50.5,5.5", "--out", str(out),
                   "--checkpoint", str(ckpt), "--device", "cpu", "--hypotheses", "all"])
    assert status == 0
    assert "not ImageNet" in capsys.readouterr().err
    spec = oiio.ImageInput.open(str(out)).spec()
    assert spec.format == oiio.HALF and spec.get_string_attribute("compression") == "zip"
    assert spec.getattribute("PixelAspectRatio") == pytest.approx(2.0)
    image = read_image(out)
    predictor.set_frame(to_network(rgb, "linear"))  # a float EXR is linear unless --colorspace says otherwise
    expected = predictor.predict([(10.5, 20.5)], [(50.5, 5.5)])
    assert np.allclose(image.channel("A"), expected.alpha, atol=1e-3)
    assert np.allclose(image.hypotheses(), expected.masks, atol=1e-3)
    assert image.hyperseg_metadata["checkpoint"] == Predictor.load(ckpt).checkpoint_id


@pytest.mark.parametrize(
    ("clicks", "message"),
    [(["-p", "60.5,3.5"], "outside the 60x40 frame"), ([], "no clicks")],
)
def test_segment_errors_name_the_problem(tmp_path, checkpoint, plate, capsys, clicks, message):
    ckpt, _ = checkpoint
    path, _ = plate
    out = tmp_path / "alpha.exr"
    status = main(["segment", str(path), *clicks, "--out", str(out), "--checkpoint", str(ckpt)])
    assert status != 0
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_segment_missing_frame(tmp_path, checkpoint, capsys):
    ckpt, _ = checkpoint
    status = main(["segment", str(tmp_path / "nope.exr"), "-p", "1,1", "--out", str(tmp_path / "a.exr"),
                   "--checkpoint", str(ckpt)])
    assert status == 1
    assert "nope.exr" in capsys.readouterr().err


def test_segment_through_a_daemon_writes_what_in_process_writes(tmp_path, checkpoint, plate, capsys):
    from hyperseg.daemon.config import DaemonConfig
    from hyperseg.daemon.server import serve

    ckpt, _ = checkpoint
    path, _ = plate
    args = ["segment", str(path), "-p", "10.5,20.5", "-n", "50.5,5.5", "--hypotheses", "all"]
    assert main([*args, "--out", str(tmp_path / "here.exr"), "--checkpoint", str(ckpt), "--device", "cpu"]) == 0
    daemon = serve(DaemonConfig(port=0, cache_mb=16, frame_store_mb=16), predictor=Predictor.load(ckpt, device="cpu"))
    try:
        assert main([*args, "--out", str(tmp_path / "there.exr"), "--server", daemon.address]) == 0
    finally:
        daemon.stop(grace=1)
    here, there = read_image(tmp_path / "here.exr"), read_image(tmp_path / "there.exr")
    assert f"via {daemon.address}" in capsys.readouterr().out
    np.testing.assert_array_equal(here.pixels, there.pixels)
    assert (here.display_window, here.data_window, here.pixel_aspect) == (
        there.display_window, there.data_window, there.pixel_aspect)
    assert here.hyperseg_metadata["clicks"] == there.hyperseg_metadata["clicks"]
    assert here.hyperseg_metadata["checkpoint"] == there.hyperseg_metadata["checkpoint"]
