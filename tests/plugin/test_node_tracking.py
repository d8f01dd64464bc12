"""The node's "track points": the daemon tracks the points from the artist's keys, the positions come back as
keys, the alphas into the cache; cancellable, and a correction restarts tracking from it."""

from __future__ import annotations

import json
import re

import nuke
import pytest
from node_script import cache_of, make_node, wait_for_status
from sliding_disc import SlidingDisc

from hyperseg.imageio import write_image
from hyperseg.plugin.nuke import node as hyperseg_node

FRAMES = list(range(1, 9))
OFFSET = (3.0, -2.0)


@pytest.fixture
def tracking_script(tmp_path):
    """A script of the shot's format, frames 1-8, saved under tmp_path (the node's cache beside it)."""
    shot = SlidingDisc(first=1)
    nuke.standin_reset(shot.width, shot.height)
    nuke.root()["first_frame"].setValue(FRAMES[0])
    nuke.root()["last_frame"].setValue(FRAMES[-1])
    nuke.scriptSaveAs(str(tmp_path / "shots" / "shot.nk"))
    yield shot
    hyperseg_node._jobs().join_all(timeout=60)
    nuke.standin_reset()


def plates(shot: SlidingDisc, directory) -> object:
    directory.mkdir(exist_ok=True)
    for frame in FRAMES:
        write_image(directory / f"plate.{frame:04d}.exr", shot.rgb(frame), ("R", "G", "B"))
    return directory


def nuke_xy(shot: SlidingDisc, frame: int, offset=OFFSET) -> tuple[float, float]:
    x, y = shot.on_disc(frame, offset)
    return (x, shot.height - y)


def tracking_node(shot: SlidingDisc, directory, address, direction: str = "forward"):
    node = make_node(plates(shot, directory), address)
    node["live"].setValue(False)
    node["previous_frame"].setValue(False)
    node["track_direction"].setValue(direction)
    node["add_positive"].execute()
    nuke.standin_user_drag(node["p1"], *nuke_xy(shot, 1))
    return node


def keyed_frames(knob) -> list[int]:
    animation_keys = knob.animation(0).keys()
    return sorted(round(key.x) for key in animation_keys)


def test_track_points_keys_every_frame_where_the_image_moved_the_point(tracking_script, tmp_path, address):
    shot = tracking_script
    node = tracking_node(shot, tmp_path / "plates", address)
    node["track_points"].execute()
    status = wait_for_status(node, "tracked")
    assert status.startswith("tracked and segmented 8 frames in ") and "not current" not in status
    assert keyed_frames(node["p1"]) == FRAMES
    for frame in FRAMES:
        assert node["p1"].getValueAt(frame) == pytest.approx(nuke_xy(shot, frame), abs=0.1)
    assert all((cache_of(node) / f"alpha.{f:04d}.exr").is_file() for f in FRAMES)
    assert hyperseg_node.check_cache(node) == ""  # the alphas are current for the keys the knobs now hold
    task = nuke.standin_progress_tasks()[-1]
    assert task.progress == [12, 25, 37, 50, 62, 75, 87, 100]
    assert task.messages[-1] == "tracking: frame 8 (8/8)"


def test_a_cancel_keeps_keys_and_alphas_up_to_it_and_nothing_after(tracking_script, tmp_path, address):
    shot = tracking_script
    node = tracking_node(shot, tmp_path / "plates", address)
    nuke.standin_cancel_progress_after(3)
    node["track_points"].execute()
    assert wait_for_status(node, "tracking cancelled").startswith("tracking cancelled after 3 of 8 frames in ")
    assert keyed_frames(node["p1"]) == [1, 2, 3]
    assert node["p1"].getValueAt(3) == pytest.approx(nuke_xy(shot, 3), abs=0.1)
    cache = cache_of(node)
    assert [f for f in FRAMES if (cache / f"alpha.{f:04d}.exr").is_file()] == [1, 2, 3]
    assert not list(cache.glob("*.tmp*"))


def test_a_moved_point_becomes_a_key_and_tracking_restarts_from_it(tracking_script, tmp_path, address):
    shot = tracking_script
    node = tracking_node(shot, tmp_path / "plates", address)
    node["track_points"].execute()
    wait_for_status(node, "tracked")
    moved = (-8.0, 5.0)  # the artist puts p1 elsewhere on the disc on frame 5
    nuke.frame(5)
    nuke.standin_user_drag(node["p1"], *nuke_xy(shot, 5, moved))
    node["track_points"].execute()
    wait_for_status(node, "tracked")
    for frame in (2, 4):
        assert node["p1"].getValueAt(frame) == pytest.approx(nuke_xy(shot, frame), abs=0.1)
    assert node["p1"].getValueAt(5) == pytest.approx(nuke_xy(shot, 5, moved))
    for frame in (6, 8):  # followed from the correction (the first track ran ~12 px from here)
        assert node["p1"].getValueAt(frame) == pytest.approx(nuke_xy(shot, frame, moved), abs=0.5)
    node["track_direction"].setValue("both")
    node["track_points"].execute()
    wait_for_status(node, "tracked")
    x3 = node["p1"].getValueAt(3, 0)  # halfway between the keys on 1 and 5: half of each track
    assert x3 == pytest.approx((nuke_xy(shot, 3)[0] + nuke_xy(shot, 3, moved)[0]) / 2, abs=0.5)
    assert node["p1"].getValueAt(1) == pytest.approx(nuke_xy(shot, 1))


def test_a_point_the_tracker_loses_is_switched_off_and_the_status_line_says_why(tracking_script, tmp_path, address):
    shot = SlidingDisc(first=1, cut=5)
    node = tracking_node(shot, tmp_path / "plates", address)
    node["track_points"].execute()
    status = wait_for_status(node, "tracked")
    assert "click 'p1' switched off at frame 5 (tracking forward): forward-backward check failed" in status
    assert node["p1_off"].value() == "5-8"
    assert keyed_frames(node["p1"]) == [1, 2, 3, 4]
    assert hyperseg_node.check_cache(node) == ""  # 5-8: empty alphas, current for a point that is off


def test_a_point_lost_to_an_occluder_gets_a_re_seeded_point_keyed_from_there_and_tracking_again_keeps_it(
        tracking_script, tmp_path, address):
    shot = SlidingDisc(first=1, occluded=4, occluder_offset=(14.0, 0.0), occluder=13)
    node = make_node(plates(shot, tmp_path / "plates"), address)
    node["live"].setValue(False)
    node["previous_frame"].setValue(False)
    node["add_positive"].execute()
    nuke.standin_user_drag(node["p1"], *nuke_xy(shot, 1, (14.0, 0.0)))
    node["track_points"].execute()
    status = wait_for_status(node, "tracked")
    lost = int(re.search(r"click 'p1' switched off at frame (\d+) \(tracking forward\): forward-backward", status)[1])
    assert lost in (4, 5)  # on the occluded frame, or (the plates as the node reads them) the one after
    assert f"re-seeded as click 'p1_r{lost}'" in status
    assert node["p1_off"].value() == f"{lost}-8" and keyed_frames(node["p1"]) == list(range(1, lost))
    points = [["p1", "positive"], [f"p1_r{lost}", "positive"]]
    assert json.loads(node["points"].value()) == points
    assert node[f"p1_r{lost}_off"].value() == f"1-{lost - 1}" and keyed_frames(node[f"p1_r{lost}"]) == list(
        range(lost, 9))
    assert hyperseg_node.check_cache(node) == ""  # every alpha current for the points the knobs now hold
    node["track_points"].execute()  # again: the re-seeded point starts on its frame, nothing new is re-seeded
    status = wait_for_status(node, "tracked")
    assert "re-seeded" not in status
    assert json.loads(node["points"].value()) == points
    assert keyed_frames(node[f"p1_r{lost}"]) == list(range(lost, 9)) and node[f"p1_r{lost}_off"].value() == \
        f"1-{lost - 1}"


def test_headless_track_points_runs_inline_and_returns_what_it_did(tracking_script, tmp_path, address, capsys):
    shot = tracking_script
    node = tracking_node(shot, tmp_path / "plates", address, direction="backward")
    nuke.GUI = False
    outcome = hyperseg_node.track_points(node, [1, 2, 3])
    assert sorted(outcome.positions) == [1, 2, 3] and not outcome.cancelled and not outcome.switched_off
    assert "HyperSeg HyperSeg1: tracked frame 3 (3/3)" in capsys.readouterr().out
    assert not nuke.standin_progress_tasks()
    assert node["p1"].getValueAt(3) == pytest.approx(nuke_xy(shot, 1))  # backward from 1: nothing before it
