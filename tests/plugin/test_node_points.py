"""Points are sent and exported where Nuke evaluates them: smooth keys, expressions, Tracker links."""

from __future__ import annotations

import nuke
import numpy as np
import pytest
from node_script import alpha_of, cache_of, make_node, wait_for_status
from plugin_plates import HEIGHT

from hyperseg.plugin import Client
from hyperseg.plugin.nuke import node as hyperseg_node
from hyperseg.protocol.clicktracks import ClickTracks


def test_standin_curves_follow_the_documented_interpolations(script):
    knob = nuke.XY_Knob("probe")
    nuke.root().addKnob(knob)
    knob.setAnimated()
    for frame, value in ((1, 10.0), (4, 37.0), (7, 10.0)):
        knob.setValueAt(value, frame, 0)
    curve = knob.animation(0)
    # SMOOTH (the default): flat at the ends and at the extremum, a cubic between
    assert [round(knob.getValueAt(f, 0), 6) for f in (1, 2, 3, 4)] == [10.0, 17.0, 30.0, 37.0]
    curve.changeInterpolation(curve.keys(), nuke.LINEAR)
    assert [knob.getValueAt(f, 0) for f in (2, 3, 5)] == pytest.approx([19.0, 28.0, 28.0])
    curve.changeInterpolation(curve.keys(), nuke.CONSTANT)
    assert [knob.getValueAt(f, 0) for f in (3, 6, 8)] == [10.0, 37.0, 10.0]
    curve.changeInterpolation(curve.keys(), nuke.CATMULL_ROM)
    # slopes: the first key's is its secant (9 per frame), the middle one's (10 - 10) / 6 = 0; at s = 1/3
    # the Hermite weights are 20/27, 4/27, 7/27: 10 * 20/27 + 3 * 9 * 4/27 + 37 * 7/27 = 21
    assert knob.getValueAt(2, 0) == pytest.approx(21.0)


def smooth_point_node(plate_files, address):
    """p1 keyed smooth at x=10 on frame 1 and x=37 on frame 4 (y = 24); n1 linked to Tracker1.track1."""
    nuke.root()["last_frame"].setValue(4)
    tracker = nuke.nodes.Tracker3()
    tracker.setName("Tracker1")
    tracker["track1"].setAnimated()
    for frame, (x, y) in {1: (5.5, 40.5), 3: (9.5, 30.5)}.items():
        tracker["track1"].setValueAt(x, frame, 0)
        tracker["track1"].setValueAt(y, frame, 1)
    node = make_node(plate_files, address)
    node["live"].setValue(False)
    node["add_positive"].execute()
    node["add_negative"].execute()
    node["p1"].setValueAt(10.0, 1, 0)
    node["p1"].setValueAt(37.0, 4, 0)
    node["p1"].setValueAt(24.0, 1, 1)
    node["p1"].setValueAt(24.0, 4, 1)
    for index in (0, 1):  # the keys add_point made are linear, as clicks.json's are; the artist made them smooth
        curve = node["p1"].animation(index)
        curve.changeInterpolation(curve.keys(), nuke.SMOOTH)
    node["n1"].setExpression("Tracker1.track1")
    return node, tracker


def test_export_writes_where_nuke_puts_each_point_on_every_frame(script, plate_files, address, tmp_path):
    node, tracker = smooth_point_node(plate_files, address)
    node["clicks_file"].setValue(str(tmp_path / "clicks.json"))
    node["export_clicks"].execute()
    tracks = {t.id: t for t in ClickTracks.load(tmp_path / "clicks.json").tracks}
    assert {f: round(x, 6) for f, (x, _) in tracks["p1"].keys.items()} == {1: 10.0, 2: 17.0, 3: 30.0, 4: 37.0}
    for frame in (1, 2, 3, 4):  # the tracker's own curve, y flipped to the wire's y-down
        x, y = tracker["track1"].getValueAt(frame)
        assert tracks["n1"].keys[frame] == pytest.approx((x, HEIGHT - y))
    assert tracks["n1"].keys[2] == pytest.approx((7.5, HEIGHT - 35.5))


def test_an_expression_point_has_no_keys_and_still_works(script, plate_files, address):
    node = make_node(plate_files, address)
    node["live"].setValue(False)
    node["add_positive"].execute()
    node["p1"].setExpression("frame * 2 + 3", 0)
    node["p1"].setExpression("24", 1)
    settings = hyperseg_node.snapshot(node, [1, 2, 3])
    assert [settings.tracks.at(f)[0] for f in (1, 2, 3)] == [[(5.0, 24.0)], [(7.0, 24.0)], [(9.0, 24.0)]]


def test_the_daemon_gets_the_smooth_position_not_a_linear_one(script, plate_files, address):
    node, _ = smooth_point_node(plate_files, address)
    node["previous_frame"].setValue(False)
    nuke.frame(2)
    node["segment_frame"].execute()
    wait_for_status(node, "frame 2:")
    with Client(address, send_paths=False) as client:
        expected = client.segment(
            str(cache_of(node) / "plate.0002.exr"),
            positive=[(17.0, HEIGHT - 24.0)],
            negative=[(7.5, HEIGHT - 35.5)],
        )
    np.testing.assert_allclose(alpha_of(cache_of(node) / "alpha.0002.exr"), expected.alpha, atol=0)
