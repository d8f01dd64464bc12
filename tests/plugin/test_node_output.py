"""What the node outputs (rgba.alpha, the hypotheses layer, the overlay) and what the network sees (one colour path)."""

from __future__ import annotations

import nuke
import numpy as np
from node_script import cache_of, make_node, wait_for_status
from plugin_plates import HEIGHT, WIDTH

from hyperseg.imageio import network_rgb, read_image, write_image
from hyperseg.plugin.session import PLATE_COLORSPACE


def srgb_encode(linear: np.ndarray) -> np.ndarray:
    """IEC 61966-2-1, written out here so the node's conversion is checked against the standard, not itself."""
    v = np.asarray(linear, dtype=np.float64)
    return np.where(v <= 0.0031308, 12.92 * v, 1.055 * np.maximum(v, 0.0031308) ** (1 / 2.4) - 0.055)


def segmented_node(plate_files, address):
    node = make_node(plate_files, address)
    node["previous_frame"].setValue(False)
    node["add_positive"].execute()
    nuke.standin_user_drag(node["p1"], 28.0, 24.0)
    wait_for_status(node, "frame 1:")
    return node


def test_the_output_carries_the_plate_the_alpha_and_the_hypotheses_layer(script, plate_files, address):
    node = segmented_node(plate_files, address)
    hypotheses = [f"hypotheses.h{k}" for k in range(6)]
    assert node.channels() == sorted(["rgba.red", "rgba.green", "rgba.blue", "rgba.alpha", *hypotheses])
    out = nuke.standin_render(node, 1)
    plate = read_image(plate_files / "plate.0001.exr")
    alpha = read_image(cache_of(node) / "alpha.0001.exr")
    np.testing.assert_array_equal(out["rgba.red"], plate.channel("R"))  # the plate itself, not the network's copy
    np.testing.assert_array_equal(out["rgba.alpha"], alpha.channel("A"))
    for name in hypotheses:
        np.testing.assert_array_equal(out[name], alpha.channel(name))
    node["hypothesis"].setValue("3")
    out = nuke.standin_render(node, 1)
    np.testing.assert_array_equal(out["rgba.alpha"], alpha.channel("hypotheses.h2"))
    assert "hypotheses.h5" in out


def test_overlay_mode_tints_the_matte_and_marks_the_points(script, plate_files, address):
    node = make_node(plate_files, address)
    node["live"].setValue(False)
    node["previous_frame"].setValue(False)
    node["add_positive"].execute()
    node["add_negative"].execute()
    nuke.standin_user_drag(node["p1"], 28.0, 24.0)
    nuke.standin_user_drag(node["n1"], 4.0, 44.0)
    node["segment_frame"].execute()
    wait_for_status(node, "frame 1:")
    plain = nuke.standin_render(node, 1)
    node["overlay"].setValue(True)
    overlaid = nuke.standin_render(node, 1)
    np.testing.assert_array_equal(overlaid["rgba.alpha"], plain["rgba.alpha"])
    assert "hypotheses.h0" in overlaid
    assert not np.allclose(overlaid["rgba.red"], plain["rgba.red"])
    # positive point green, negative red (Nuke's y up: sample at the knob positions)
    green = [nuke.sample(node, f"rgba.{c}", 28.0, 24.0) for c in ("red", "green", "blue")]
    red = [nuke.sample(node, f"rgba.{c}", 4.0, 44.0) for c in ("red", "green", "blue")]
    assert green[1] > 0.9 and green[0] < 0.05 and red[0] > 0.9 and red[1] < 0.05
    node["overlay"].setValue(False)
    np.testing.assert_array_equal(nuke.standin_render(node, 1)["rgba.red"], plain["rgba.red"])


def network_plate(node, frame: int = 1) -> np.ndarray:
    """The values the network gets from the plate the node rendered (sent as PLATE_COLORSPACE)."""
    return network_rgb(read_image(cache_of(node) / f"plate.{frame:04d}.exr"), PLATE_COLORSPACE)


def test_one_colour_path_the_same_values_by_any_route(script, plate_files, address, tmp_path):
    direct = make_node(plate_files, address)
    direct["live"].setValue(False)
    via_dot = make_node(plate_files, address, through_dot=True)
    via_dot["live"].setValue(False)
    for node in (direct, via_dot):
        node["previous_frame"].setValue(False)
        node["add_positive"].execute()
        node["segment_frame"].execute()
        wait_for_status(node, "frame 1:")
    linear = read_image(plate_files / "plate.0001.exr").rgb()
    np.testing.assert_allclose(network_plate(direct), srgb_encode(linear), atol=2e-6)
    np.testing.assert_array_equal(network_plate(via_dot), network_plate(direct))
    # the same plate as an sRGB PNG: Nuke linearises it on read, the node encodes it again
    png = tmp_path / "png"
    png.mkdir()
    write_image(png / "plate.0001.png", srgb_encode(linear).astype(np.float32), ("R", "G", "B"))
    from_png = make_node(png, address, extension="png")
    from_png["live"].setValue(False)
    from_png["previous_frame"].setValue(False)
    from_png["add_positive"].execute()
    from_png["segment_frame"].execute()
    wait_for_status(from_png, "frame 1:")
    np.testing.assert_allclose(network_plate(from_png), network_plate(direct), atol=0.5 / 255 + 1e-6)


def test_the_input_colour_space_knob(script, plate_files, address, tmp_path):
    png = tmp_path / "png"
    png.mkdir()
    encoded = np.random.default_rng(3).random((HEIGHT, WIDTH, 3)).astype(np.float32)
    write_image(png / "plate.0001.png", encoded, ("R", "G", "B"))
    node = make_node(png, address, extension="png")
    node["live"].setValue(False)
    node["previous_frame"].setValue(False)
    nuke.toNode("Read1")["colorspace"].setValue("raw")  # the pixels enter Nuke still sRGB-encoded...
    node["input_colorspace"].setValue("sRGB")  # ...and the node is told so
    node["add_positive"].execute()
    node["segment_frame"].execute()
    wait_for_status(node, "frame 1:")
    stored = read_image(png / "plate.0001.png").rgb()
    np.testing.assert_allclose(network_plate(node), stored, atol=1e-5)
    node["input_colorspace"].setValue("ACES - nonsense")
    node["segment_frame"].execute()
    assert "colour space 'ACES - nonsense' could not be found" in node["status"].value()


def test_a_read_frame_offset_reaches_the_network(script, plate_files, address):
    node = make_node(plate_files, address)
    node["live"].setValue(False)
    node["previous_frame"].setValue(False)
    read = nuke.toNode("Read1")
    read["frame_mode"].setValue("offset")
    read["frame"].setValue("1")  # frame 2 of the script shows file frame 1
    node["add_positive"].execute()
    node["segment_frame"].execute()
    nuke.frame(2)
    node["segment_frame"].execute()
    wait_for_status(node, "frame 2:")
    linear = read_image(plate_files / "plate.0001.exr").rgb()
    np.testing.assert_allclose(network_plate(node, 2), srgb_encode(linear), atol=2e-6)
