"""The node's alpha cache: keyed by what made each alpha, beside the script, never silently black."""

from __future__ import annotations

import nuke
import numpy as np
import pytest
from node_script import alpha_of, cache_of, make_node, wait_for_status
from plugin_plates import HEIGHT, WIDTH, start_daemon

from hyperseg.imageio import read_image
from hyperseg.plugin.nuke import node as hyperseg_node


def keyed_node(plate_files, address):
    """A node with p1 keyed at (20, 24) on frame 1 and (40, 24) on frame 3 (linear), segmented over 1-3."""
    nuke.GUI = False
    node = make_node(plate_files, address)
    node["live"].setValue(False)
    node["previous_frame"].setValue(False)
    node["add_positive"].execute()
    for frame, x in ((1, 20.0), (3, 40.0)):
        node["p1"].setValueAt(x, frame, 0)
        node["p1"].setValueAt(24.0, frame, 1)
    curves = [node["p1"].animation(i) for i in (0, 1)]
    for curve in curves:
        curve.changeInterpolation(curve.keys(), nuke.LINEAR)
    outcome = hyperseg_node.segment_range(node, [1, 2, 3])
    assert [f.frame for f in outcome.frames] == [1, 2, 3]
    return node


def test_moving_a_key_removes_exactly_the_frames_it_changes_and_says_why(script, plate_files, address):
    node = keyed_node(plate_files, address)
    cache = cache_of(node)
    before = {f: alpha_of(cache / f"alpha.{f:04d}.exr") for f in (1, 2, 3)}
    node["p1"].setValueAt(44.0, 3, 0)  # frame 1 keeps its position; frames 2 and 3 move
    nuke.standin_process_events()
    assert "not current: frames 2-3: the points moved" in node["status"].value()
    assert (cache / "alpha.0001.exr").is_file()
    assert not (cache / "alpha.0002.exr").exists() and not (cache / "overlay.0002.png").exists()
    # the node's output on a stale frame is an error in Nuke, not a black or old matte
    with pytest.raises(RuntimeError, match="Read error"):
        nuke.sample(node, "rgba.alpha", 20, 24, frame=2)
    np.testing.assert_array_equal(nuke.standin_render(node, 1)["rgba.alpha"], before[1])
    # segmenting again re-does only the frames that are not current
    outcome = hyperseg_node.segment_range(node, [1, 2, 3])
    assert [f.frame for f in outcome.frames] == [2, 3] and outcome.current == [1]
    assert outcome.summary().startswith("segmented 2 frames, 1 already current")
    assert not np.array_equal(alpha_of(cache / "alpha.0003.exr"), before[3])


def test_a_range_run_twice_resumes(script, plate_files, address):
    node = keyed_node(plate_files, address)
    outcome = hyperseg_node.segment_range(node, [1, 2, 3])
    assert outcome.frames == [] and outcome.current == [1, 2, 3]


def test_a_different_model_makes_every_alpha_stale(script, plate_files, address, tmp_path):
    node = keyed_node(plate_files, address)
    assert node["checkpoint"].value() == "untrained-0"
    other = start_daemon(seed=1)
    try:
        node["server"].setValue(f"127.0.0.1:{other.port}")
        outcome = hyperseg_node.segment_range(node, [1, 2, 3])
    finally:
        other.stop(grace=1)
    assert [f.frame for f in outcome.frames] == [1, 2, 3]
    assert node["checkpoint"].value() == "untrained-1"
    stored = read_image(cache_of(node) / "alpha.0002.exr").hyperseg_metadata
    assert '"checkpoint":"untrained-1"' in stored["cache_recipe"] and len(stored["cache_key"]) == 32


def test_a_changed_setting_or_plate_makes_alphas_stale(script, plate_files, address):
    node = keyed_node(plate_files, address)
    node["input_colorspace"].setValue("rec709")
    nuke.standin_process_events()
    assert "frames 1-3: the input colour space changed" in node["status"].value()
    node["input_colorspace"].setValue("scene_linear")
    hyperseg_node.segment_range(node, [1, 2, 3])
    plate = cache_of(node) / "plate.0002.exr"
    plate.unlink()  # the rendered plate is gone: frame 2's alpha no longer has its source
    summary = hyperseg_node.check_cache(node)
    assert summary == "frame 2: the plate changed"


def test_the_cache_lives_beside_the_script_one_folder_per_node(script, plate_files, address, tmp_path):
    first = make_node(plate_files, address)
    second = make_node(plate_files, address)
    assert cache_of(first) == tmp_path / "shots" / "hyperseg_cache" / "shot" / "HyperSeg1"
    assert cache_of(second) == tmp_path / "shots" / "hyperseg_cache" / "shot" / "HyperSeg2"
    assert nuke.toNode("HyperSeg2.alpha_read")["file"].value() == str(cache_of(second) / "alpha.%04d.exr")
    first["cache_dir"].setValue(str(tmp_path / "farm"))
    nuke.standin_process_events()
    assert cache_of(first) == tmp_path / "farm" / "shot" / "HyperSeg1"
    assert nuke.toNode("HyperSeg1.alpha_read")["file"].value() == str(cache_of(first) / "alpha.%04d.exr")
    assert nuke.toNode("HyperSeg1.alpha_read")["on_error"].value() == "error"
    read = nuke.toNode("HyperSeg1.alpha_read")
    assert (read["first"].value(), read["last"].value()) == (1, 3)


def test_an_unsaved_script_without_a_cache_folder_says_so(plate_files, address, tmp_path):
    nuke.standin_reset(WIDTH, HEIGHT)
    try:
        node = make_node(plate_files, address)
        node["add_positive"].execute()
        node["segment_frame"].execute()
        assert node["status"].value() == (
            "error: save the script first (the cache lives beside it), or set the cache folder"
        )
        node["cache_dir"].setValue(str(tmp_path / "scratch"))
        node["segment_frame"].execute()
        wait_for_status(node, "frame 1:")
        assert (tmp_path / "scratch" / "unsaved" / "HyperSeg1" / "alpha.0001.exr").is_file()
    finally:
        hyperseg_node._jobs().join_all(timeout=60)
        nuke.standin_reset(WIDTH, HEIGHT)


def test_frames_never_segmented_are_named_on_the_status_line(script, plate_files, address):
    node = make_node(plate_files, address)
    node["previous_frame"].setValue(False)
    node["add_positive"].execute()
    status = wait_for_status(node, "frame 1:")
    assert status.endswith("| not current: frames 2-3: not segmented yet")


def test_moving_a_point_back_brings_its_alphas_back(script, plate_files, address):
    node = keyed_node(plate_files, address)
    cache = cache_of(node)
    before = alpha_of(cache / "alpha.0003.exr")
    node["p1"].setValueAt(44.0, 3, 0)
    nuke.standin_process_events()
    assert (cache / "stale" / "alpha.0003.exr").is_file()
    node["p1"].setValueAt(40.0, 3, 0)
    nuke.standin_process_events()
    assert hyperseg_node.check_cache(node) == ""
    np.testing.assert_array_equal(nuke.standin_render(node, 3)["rgba.alpha"], before)
