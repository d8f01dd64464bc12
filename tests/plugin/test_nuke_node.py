"""The HyperSeg node driven through the stand-in ``nuke`` module against a real daemon on loopback."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import nuke
import numpy as np
import pytest
from node_script import alpha_of, cache_of, make_node, wait_for_status
from plugin_plates import HEIGHT, WIDTH, start_daemon

from hyperseg.imageio import read_image
from hyperseg.plugin import Client
from hyperseg.plugin.nuke import node as hyperseg_node
from hyperseg.plugin.nuke import point_knobs
from hyperseg.protocol.clicktracks import ClickTrack, ClickTracks

REPO = Path(__file__).resolve().parents[2]


def test_menu_entry_and_node_layout(script, plate_files, address):
    runpy.run_path(str(REPO / "plugin" / "hyperseg" / "plugin" / "nuke" / "menu.py"))
    command = nuke.menu("Nodes").addMenu("HyperSeg").items["HyperSeg"]
    assert "hyperseg_node.create()" in command
    node = make_node(plate_files, address)
    assert node.name() == "HyperSeg1" and node.input(0).Class() == "Read"
    for name in ("server", "token_file", "tls_ca", "hypothesis", "proxy", "previous_frame", "segment_frame",
                 "segment_range", "export_clicks", "import_clicks", "add_positive", "add_negative", "remove_point"):
        assert node.knob(name) is not None, name
    assert nuke.toNode(f"{node.name()}.plate_cache")["disable"].value() is True
    copy = nuke.toNode(f"{node.name()}.alpha_copy")
    assert copy.input(1).name() == "alpha_read" and copy.input(0).name() == "plate"
    assert (node.format().width(), node.format().height()) == (WIDTH, HEIGHT)


def test_click_session_gives_the_same_alpha_as_the_client(script, plate_files, address, tmp_path):
    node = make_node(plate_files, address)
    nuke.frame(2)
    node["add_positive"].execute()
    node["add_negative"].execute()
    nuke.standin_user_drag(node["n1"], 4.0, 44.0)  # Nuke y-up: near the top-left corner
    nuke.standin_user_drag(node["p1"], 28.0, 20.0)
    status = wait_for_status(node, "frame 2:")
    assert "ms" in status
    alpha_path = cache_of(node) / "alpha.0002.exr"
    alpha = read_image(alpha_path)
    assert alpha.channel_names[0] == "A" and "hypotheses.h5" in alpha.channel_names
    # the same request from a TD's script: wire coordinates are y-down, previous frame as context
    with Client(address, send_paths=False) as client:
        expected = client.segment(
            str(cache_of(node) / "plate.0002.exr"),
            positive=[(28.0, HEIGHT - 20.0)],
            negative=[(4.0, HEIGHT - 44.0)],
            previous=str(cache_of(node) / "plate.0001.exr"),
            hypotheses="all",
        )
    np.testing.assert_array_equal(alpha.channel("A"), expected.alpha)
    assert nuke.standin_reloads(nuke.toNode(f"{node.name()}.alpha_read")) >= 1


def test_click_session_matches_hyperseg_segment(script, plate_files, address, tmp_path):
    node = make_node(plate_files, address)
    node["previous_frame"].setValue(False)
    nuke.frame(2)
    node["add_positive"].execute()
    nuke.standin_user_drag(node["p1"], 28.0, 20.0)
    wait_for_status(node, "frame 2:")
    out = tmp_path / "cli.exr"
    command = [sys.executable, "-m", "hyperseg.cli", "segment", str(cache_of(node) / "plate.0002.exr"),
               "-p", f"28.0,{HEIGHT - 20.0}", "--server", address, "--hypotheses", "all", "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    np.testing.assert_array_equal(alpha_of(cache_of(node) / "alpha.0002.exr"), alpha_of(out))


def test_dragging_fast_segments_the_latest_position(script, plate_files, address):
    node = make_node(plate_files, address)
    node["previous_frame"].setValue(False)
    node["add_positive"].execute()
    for x in (10.0, 14.0, 18.0, 22.0, 26.0, 30.0):
        nuke.standin_user_drag(node["p1"], x, 24.0)
    wait_for_status(node, "frame 1:")
    hyperseg_node._jobs().join(node.fullName(), timeout=60)
    nuke.standin_process_events()
    with Client(address, send_paths=False) as client:
        expected = client.segment(str(cache_of(node) / "plate.0001.exr"), positive=[(30.0, HEIGHT - 24.0)])
    np.testing.assert_array_equal(alpha_of(cache_of(node) / "alpha.0001.exr"), expected.alpha)


def test_hypothesis_choice_rewires_the_copy(script, plate_files, address):
    node = make_node(plate_files, address)
    copy = nuke.toNode(f"{node.name()}.alpha_copy")
    node["hypothesis"].setValue("3")
    assert copy["from0"].value() == "hypotheses.h2"
    node["hypothesis"].setValue(0)
    assert copy["from0"].value() == "rgba.alpha"


def test_proxy_mode_renders_the_plate_and_scales_clicks(script, plate_files, address):
    nuke.root()["proxy"].setValue(True)
    nuke.root()["proxy_scale"].setValue(0.5)
    node = make_node(plate_files, address, through_dot=True)
    node["previous_frame"].setValue(False)
    node["add_positive"].execute()
    nuke.standin_user_drag(node["p1"], 28.0, 20.0)  # full-size Nuke coordinates, as knobs always are
    wait_for_status(node, "frame 1:")
    cache = cache_of(node)
    plate = read_image(cache / "plate_proxy.0001.exr")
    assert plate.display_window.shape == (HEIGHT // 2, WIDTH // 2)
    alpha = alpha_of(cache / "alpha_proxy.0001.exr")
    with Client(address, send_paths=False) as client:
        expected = client.segment(str(cache / "plate_proxy.0001.exr"), positive=[(14.0, (HEIGHT - 20.0) / 2)])
    np.testing.assert_array_equal(alpha, expected.alpha)
    assert ("HyperSeg1.plate_cache", 1) in nuke.standin_render_log()
    assert nuke.toNode("HyperSeg1.plate_cache")["disable"].value() is True


def test_segment_range_reports_progress(script, plate_files, address):
    node = make_node(plate_files, address)
    node["add_positive"].execute()
    node["segment_range"].execute()
    assert wait_for_status(node, "segmented").startswith("segmented 3 frames")
    task = nuke.standin_progress_tasks()[-1]
    assert task.progress == [33, 66, 100]
    cache = cache_of(node)
    assert all((cache / f"alpha.{f:04d}.exr").is_file() for f in (1, 2, 3))


def test_segment_range_can_be_cancelled(script, plate_files, address):
    node = make_node(plate_files, address)
    node["add_positive"].execute()
    nuke.standin_cancel_progress_after(1)
    node["segment_range"].execute()
    assert wait_for_status(node, "cancelled").startswith("cancelled after 1 of 3 frames in ")
    cache = cache_of(node)
    assert (cache / "alpha.0001.exr").is_file() and not (cache / "alpha.0002.exr").exists()


def test_headless_segment_all_runs_inline(script, plate_files, address, capsys):
    nuke.GUI = False
    node = make_node(plate_files, address)
    node["add_positive"].execute()
    node["frames"].setValue("2-3")
    (outcome,) = hyperseg_node.segment_all()
    assert [f.frame for f in outcome.frames] == [2, 3] and not outcome.cancelled
    assert "frame 3 (2/2)" in capsys.readouterr().out
    assert not nuke.standin_progress_tasks()


def test_frames_where_every_positive_is_off_get_an_empty_alpha(script, plate_files, address):
    nuke.GUI = False
    node = make_node(plate_files, address)
    node["add_positive"].execute()
    node["p1_off"].setValue("2")
    outcome = hyperseg_node.segment_range(node, [1, 2])
    assert "no positive click on frame 2" in outcome.frames[1].note
    assert not alpha_of(outcome.frames[1].alpha_path).any()
    assert alpha_of(outcome.frames[0].alpha_path).shape == (HEIGHT, WIDTH)


def test_unreachable_daemon_shows_on_the_node(script, plate_files):
    node = make_node(plate_files, "127.0.0.1:1")
    node["add_positive"].execute()
    node["segment_frame"].execute()
    status = wait_for_status(node, "error:")
    assert "daemon unreachable at 127.0.0.1:1" in status
    assert "Traceback" not in status


def test_bad_token_shows_on_the_node(script, plate_files, tmp_path):
    running = start_daemon(seed=0, token="the-right-token")
    try:
        node = make_node(plate_files, f"127.0.0.1:{running.port}")
        token_file = tmp_path / "token"
        token_file.write_text("a-wrong-token\n")
        os.chmod(token_file, 0o600)
        node["token_file"].setValue(str(token_file))
        node["add_positive"].execute()
        node["segment_frame"].execute()
        assert "refused the token" in wait_for_status(node, "error:")
        token_file.write_text("the-right-token\n")
        node["segment_frame"].execute()
        wait_for_status(node, "frame 1:")
    finally:
        running.stop(grace=1)


def test_no_plate_connected_is_a_message_not_a_traceback(script):
    node = hyperseg_node.create()
    node["segment_frame"].execute()
    assert node["status"].value() == f"error: {node.name()}: connect a plate to the input"


def test_animated_knobs_round_trip_through_clicks_json(script, plate_files, address, tmp_path):
    node = make_node(plate_files, address)
    node["add_positive"].execute()
    node["add_negative"].execute()
    p1, n1 = node["p1"], node["n1"]
    for frame, (x, y) in {1: (10.5, 40.5), 3: (20.5, 30.5)}.items():
        p1.setValueAt(x, frame, 0)
        p1.setValueAt(y, frame, 1)
    n1.setValueAt(5.5, 2, 0)
    n1.setValueAt(6.5, 2, 1)
    node["n1_off"].setValue("3")
    node["clicks_file"].setValue(str(tmp_path / "clicks.json"))
    node["export_clicks"].execute()
    assert node["status"].value().startswith("exported 2 clicks")
    data = json.loads((tmp_path / "clicks.json").read_text())
    p1_keys = next(c for c in data["clicks"] if c["id"] == "p1")["keys"]
    assert p1_keys["1"] == [10.5, HEIGHT - 40.5] and p1_keys["3"] == [20.5, HEIGHT - 30.5]  # y-down on disk
    exported = ClickTracks.load(tmp_path / "clicks.json")
    on_2 = (p1.getValueAt(2, 0), HEIGHT - p1.getValueAt(2, 1))  # a linear key on 1, a smooth one on 3
    assert on_2 != (15.5, HEIGHT - 35.5)
    assert exported.at(2) == ([on_2], [(5.5, HEIGHT - 6.5)])  # p1 where Nuke puts it on frame 2
    assert exported.at(3)[1] == []  # n1 is off on frame 3

    fresh = make_node(plate_files, "127.0.0.1:1")
    fresh["clicks_file"].setValue(str(tmp_path / "clicks.json"))
    fresh["import_clicks"].execute()
    assert fresh["status"].value().startswith("imported 2 clicks")
    assert point_knobs.read_tracks(fresh, [1, 2, 3]) == point_knobs.read_tracks(node, [1, 2, 3])
    assert fresh["p1"].getValueAt(2, 1) == pytest.approx(p1.getValueAt(2, 1))
    assert fresh["selected_point"].values() == ["p1", "n1"]


def test_importing_clicks_with_an_id_nuke_cannot_use(script, plate_files, tmp_path):
    ClickTracks([ClickTrack("left hand", "positive", {1: (3.5, 4.5)})]).save(tmp_path / "clicks.json")
    node = make_node(plate_files, "127.0.0.1:1")
    node["clicks_file"].setValue(str(tmp_path / "clicks.json"))
    node["import_clicks"].execute()
    assert "click id 'left hand' cannot name a knob" in node["status"].value()


def test_remove_point(script, plate_files):
    node = make_node(plate_files, "127.0.0.1:1")
    node["live"].setValue(False)
    node["add_positive"].execute()
    node["add_positive"].execute()
    node["selected_point"].setValue("p1")
    node["remove_point"].execute()
    assert node.knob("p1") is None and node.knob("p1_off") is None
    assert [t.id for t in point_knobs.read_tracks(node, [1]).tracks] == ["p2"]
    assert node["selected_point"].values() == ["p2"]


def test_settings_snapshot_is_plain_data(script, plate_files, address):
    node = make_node(plate_files, address)
    node["add_positive"].execute()
    node["proxy"].setValue(True)
    settings = hyperseg_node.snapshot(node, [1])
    assert settings.network_proxy == 0.5 and settings.cache.directory == cache_of(node)
    assert settings.tracks.at(1) == ([(32.0, 24.0)], [])
    assert replace(settings, use_previous=False).connection.address == address
