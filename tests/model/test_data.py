from pathlib import Path

import numpy as np
import pytest
from davis_like import write_davis_like

from hyperseg.model.data import FrameSample, davis_samples, load_sample, still_samples
from hyperseg.protocol.errors import HypersegError

from .conftest import write_stills_like


@pytest.mark.parametrize("layout", [("data_GT", "boundary_GT"), ("images", "masks")])
def test_a_still_benchmark_pairs_photographs_with_masks_and_keeps_the_band_unknown(tmp_path, layout):
    root = write_stills_like(tmp_path / "stills", layout, count=3)
    (root / layout[0] / "photo9.jpg").write_bytes((root / layout[0] / "photo0.jpg").read_bytes())  # no mask
    samples = still_samples(root)
    assert [s.name for s in samples] == ["photo0", "photo1", "photo2"]
    assert all(s.previous == s.frame for s in samples)  # a photograph has no previous frame
    loaded = load_sample(samples[1])
    h, w = loaded.mask.shape
    yy, xx = np.mgrid[0:h, 0:w]
    distance = np.hypot(yy - h / 2, xx - w / 3 - 3) - h / 4
    assert np.array_equal(loaded.mask, distance <= -1)
    assert np.array_equal(loaded.unknown, (distance > -1) & (distance <= 1))
    assert not (loaded.mask & loaded.unknown).any()
    half = load_sample(samples[1], scale=0.5)  # resampled, the band still holds no object pixel
    assert half.unknown.shape == (20, 28) and half.unknown.any() and not (half.mask & half.unknown).any()


def test_davis_masks_have_no_unknown_band(tmp_path):
    root = write_davis_like(tmp_path / "davis", sequences=("alpha",), frames=1)
    assert load_sample(davis_samples(root, ["alpha"])[0]).unknown is None


def test_a_folder_without_a_still_layout_names_the_layouts_it_expects(tmp_path):
    (tmp_path / "photos").mkdir()
    with pytest.raises(HypersegError, match=r"data_GT/ and boundary_GT/ or images/ and masks/"):
        still_samples(tmp_path / "photos")
    write_stills_like(tmp_path / "unpaired", count=1)
    (tmp_path / "unpaired" / "boundary_GT" / "photo0.bmp").rename(tmp_path / "unpaired" / "boundary_GT" / "other.bmp")
    with pytest.raises(HypersegError, match="has a mask of the same name"):
        still_samples(tmp_path / "unpaired")


@pytest.mark.parametrize(("name", "source"), [("bmx-trees/00012", "bmx-trees"), ("flower", "flower"),
                                              ("plate.%04d.exr@1012", "plate.%04d.exr")])
def test_a_samples_source_is_its_sequence_plate_or_photograph(name, source):
    assert FrameSample(name, Path("f.jpg"), Path("f.jpg"), Path("m.png")).source == source


def test_a_sample_grown_as_a_larger_plate_is_bilinear_and_its_mask_keeps_its_shape(tmp_path):
    """``hyperseg eval --scale 2.4`` reads frames this way: the frame grows bilinear (no blocks of repeated
    pixels), the mask grows smooth and covers scale**2 its area."""
    root = write_davis_like(tmp_path / "davis", sequences=("alpha",), frames=1)
    sample = davis_samples(root, ["alpha"])[0]
    plain, grown = load_sample(sample), load_sample(sample, 2.5)
    assert grown.rgb.shape == (120, 160, 3) and grown.mask.shape == (120, 160)
    assert grown.mask.sum() == pytest.approx(plain.mask.sum() * 2.5**2, rel=0.05)
    assert len(np.unique(grown.rgb[:, :, 0])) > 2 * len(np.unique(plain.rgb[:, :, 0]))
    assert np.abs(grown.rgb.mean(axis=(0, 1)) - plain.rgb.mean(axis=(0, 1))).max() < 0.01
