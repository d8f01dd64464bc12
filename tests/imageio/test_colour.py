"""The one colour rule (hyperseg.imageio.colour): named spaces, a file's own default, bad names."""

import numpy as np
import pytest

from hyperseg.cli import main
from hyperseg.imageio import NETWORK_COLORSPACE, network_rgb, read_image, to_network, write_image
from hyperseg.imageio.colour import TO_LINEAR
from hyperseg.protocol.errors import InputError

# Linear 0.18 (mid grey) and 0.5 in the sRGB encoding (IEC 61966-2-1), and 0.5 in the others.
GREY = np.array([[[0.0, 0.18, 0.5]]], dtype=np.float32)


def test_linear_is_sRGB_encoded_and_clipped_to_the_networks_range():
    assert NETWORK_COLORSPACE == "sRGB"
    np.testing.assert_allclose(to_network(GREY, "linear"), [[[0.0, 0.4613561, 0.7353570]]], atol=1e-6)
    np.testing.assert_array_equal(to_network(GREY, "scene_linear"), to_network(GREY, "linear"))
    np.testing.assert_array_equal(to_network(np.array([[[-0.5, 4.0, 1.0]]]), "linear"), [[[0.0, 1.0, 1.0]]])


def test_sRGB_values_pass_unchanged_and_other_spaces_go_through_linear():
    values = np.random.default_rng(0).random((4, 5, 3), dtype=np.float32)
    np.testing.assert_array_equal(to_network(values, "sRGB"), values)
    np.testing.assert_allclose(to_network(np.full((1, 1, 3), 0.5), "Gamma2.2"),
                               to_network(np.full((1, 1, 3), 0.5**2.2), "linear"), atol=1e-7)
    np.testing.assert_allclose(to_network(np.full((1, 1, 3), 0.5), "rec709"),
                               to_network(np.full((1, 1, 3), ((0.5 + 0.099) / 1.099) ** (1 / 0.45)), "linear"),
                               atol=1e-7)
    assert set(TO_LINEAR) == {"linear", "scene_linear", "raw", "sRGB", "rec709", "Gamma2.2"}


def test_a_file_is_in_its_own_space_unless_named_float_linear_integer_sRGB(tmp_path):
    values = np.random.default_rng(1).random((6, 8, 3), dtype=np.float32)
    write_image(tmp_path / "plate.exr", values, ("R", "G", "B"))
    write_image(tmp_path / "plate.png", values, ("R", "G", "B"))
    exr, png = read_image(tmp_path / "plate.exr"), read_image(tmp_path / "plate.png")
    assert (exr.pixel_type, png.pixel_type) == ("float", "uint8")
    np.testing.assert_array_equal(network_rgb(exr), to_network(exr.rgb(), "linear"))
    np.testing.assert_array_equal(network_rgb(png), png.rgb())
    np.testing.assert_array_equal(network_rgb(exr, "sRGB"), exr.rgb())


def test_an_unknown_colour_space_is_one_line_naming_the_known_ones(tmp_path, capsys):
    with pytest.raises(InputError, match="unknown input colour space 'ACEScg': hyperseg converts from linear, "):
        to_network(GREY, "ACEScg")
    with pytest.raises(SystemExit):
        main(["segment", str(tmp_path / "x.exr"), "-p", "1,1", "--out", str(tmp_path / "a.exr"),
              "--colorspace", "ACEScg"])
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("hyperseg segment: error: argument --colorspace: unknown input colour space 'ACEScg'")
