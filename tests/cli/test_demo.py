import OpenImageIO as oiio

from hyperseg.cli import main
from hyperseg.imageio import read_image
from hyperseg.imageio.sample_plate import HEIGHT, WIDTH, sample_plate, vase_mask
from hyperseg.model import Predictor
from hyperseg.model.checkpoint import save_checkpoint
from hyperseg.model.config import ModelConfig


def test_sample_plate_is_deterministic():
    a, b = sample_plate(), sample_plate()
    assert a.shape == (HEIGHT, WIDTH, 3) and (a == b).all()
    assert 0.05 < vase_mask().mean() < 0.2


def test_demo_runs_through_a_real_daemon(tmp_path, capsys):
    checkpoint = tmp_path / "tiny.pt"
    save_checkpoint(checkpoint, Predictor.untrained(seed=0, config=ModelConfig.tiny()).model)
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--checkpoint", str(checkpoint), "--device", "cpu", "--proxy", "0.25",
                 "--max-clicks", "3"]) == 0
    printed = capsys.readouterr().out
    click_lines = [line for line in printed.splitlines() if line.startswith("click ")]
    assert 1 <= len(click_lines) <= 3 and click_lines[0].startswith("click  1 + (")
    assert all(" IoU 0." in line or " IoU 1.000" in line for line in click_lines)
    assert "IoU with the true matte" in printed and "not ImageNet-pretrained" in printed
    spec = oiio.ImageInput.open(str(out / "alpha.exr")).spec()
    assert (spec.width, spec.height, spec.format) == (WIDTH, HEIGHT, oiio.HALF)
    assert read_image(out / "alpha.exr").hypotheses().shape == (3, HEIGHT, WIDTH)
    assert read_image(out / "overlay.png").pixels.shape == (HEIGHT, WIDTH, 3)
