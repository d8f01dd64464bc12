"""Clicks propagated through synthetic shots with known motion, and written back as keys."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from hyperseg.imageio import read_image, read_rgb
from hyperseg.model.evaluation.metrics import iou
from hyperseg.model.propagation.click_propagation import TrackingPass, propagate_clicks, reseeded_root
from hyperseg.model.propagation.point_tracker import PointTracker, TrackerConfig, to_gray
from hyperseg.protocol.clicktracks import ClickTrack, ClickTracks
from hyperseg.protocol.errors import InputError

from .moving_frames import DiscShot, texture

FRAMES = list(range(1001, 1013))
DAVIS = Path(__file__).resolve().parents[3] / "../shared/data/davis2016"


def frames_of(shot: DiscShot):
    return lambda frame: shot.rgb(frame - 1001)


def on_disc(shot, t, offset=(0.0, 0.0)):
    x, y = shot.centre(t) + np.array(offset)
    return (float(x) + 0.5, float(y) + 0.5)


def test_forward_clicks_follow_the_object_and_become_keys_on_every_frame():
    shot = DiscShot()
    tracks = ClickTracks([ClickTrack("p1", "positive", {1001: on_disc(shot, 0, (5, -4))}),
                          ClickTrack("n1", "negative", {1001: (290.5, 215.5)})])
    result = propagate_clicks(tracks, FRAMES, frames_of(shot), "forward")
    assert result.switched_off == []
    p1, n1 = result.tracks.tracks
    assert sorted(p1.keys) == FRAMES and sorted(n1.keys) == FRAMES and p1.off == [] and n1.off == []
    for frame in FRAMES:
        assert p1.keys[frame] == pytest.approx(on_disc(shot, frame - 1001, (5, -4)), abs=0.5)
        assert n1.keys[frame] == pytest.approx((290.5, 215.5), abs=0.2)
    positive, negative = result.tracks.at(1012)
    assert positive == [p1.keys[1012]] and negative == [n1.keys[1012]]
    again = ClickTracks.from_dict(result.tracks.to_dict())
    assert again == result.tracks


def test_held_still_the_same_click_falls_off_the_object():
    shot = DiscShot(velocity=(4.0, 0.0))
    start = on_disc(shot, 0, (-35, 0))
    assert shot.mask(11)[int(start[1]), int(start[0])] == np.False_
    tracked = propagate_clicks(ClickTracks([ClickTrack("p1", "positive", {1001: start})]), FRAMES,
                               frames_of(shot)).tracks.tracks[0]
    x, y = tracked.keys[1012]
    assert shot.mask(11)[int(y), int(x)]


def test_a_correction_key_restarts_tracking_and_both_directions_blend_towards_it():
    shot = DiscShot()
    truth = {f: on_disc(shot, f - 1001) for f in FRAMES}
    wrong_start = (truth[1001][0] + 3.0, truth[1001][1])  # the artist's first click, 3 px off
    keys = {1001: wrong_start, 1007: truth[1007]}
    tracks = ClickTracks([ClickTrack("p1", "positive", keys)])
    forward = propagate_clicks(tracks, FRAMES, frames_of(shot), "forward").tracks.tracks[0]
    both = propagate_clicks(tracks, FRAMES, frames_of(shot), "both").tracks.tracks[0]
    assert forward.keys[1007] == both.keys[1007] == truth[1007]
    assert forward.keys[1006][0] - truth[1006][0] == pytest.approx(3.0, abs=0.3)  # forward carries the error
    assert both.keys[1006][0] - truth[1006][0] == pytest.approx(3.0 / 6, abs=0.3)  # 1/6 of the way from 1007
    assert forward.keys[1010] == pytest.approx(truth[1010], abs=0.5)  # restarted from the correction
    backward = propagate_clicks(ClickTracks([ClickTrack("p1", "positive", {1012: truth[1012]})]), FRAMES,
                                frames_of(shot), "backward").tracks.tracks[0]
    assert backward.keys[1001] == pytest.approx(truth[1001], abs=0.6)


def test_a_click_that_loses_the_image_switches_off_says_why_and_comes_back_at_its_next_key():
    shot = DiscShot()

    def with_cut(frame):
        return texture(240, 320, seed=99) if frame == 1005 else shot.rgb(frame - 1001)

    tracks = ClickTracks([ClickTrack("p1", "positive", {1001: on_disc(shot, 0), 1009: on_disc(shot, 8)},
                                     off=[(1011, 1011)])])
    result = propagate_clicks(tracks, FRAMES, with_cut, "forward")
    [event] = result.switched_off
    assert (event.click, event.frame, event.direction) == ("p1", 1005, "forward")
    assert "forward-backward check failed" in event.reason and event.describe().startswith("click 'p1' switched off")
    track = result.tracks.tracks[0]
    assert track.off == [(1005, 1008), (1011, 1011)]
    assert [f for f in FRAMES if track.position(f) is None] == [1005, 1006, 1007, 1008, 1011]
    assert track.position(1010) == pytest.approx(on_disc(shot, 9), abs=0.5)
    # With both directions the backward track from 1009 carries it over 1006-1008; the cut frame
    # itself is lost from both sides.
    both = propagate_clicks(tracks, FRAMES, with_cut, "both")
    assert both.tracks.tracks[0].off == [(1005, 1005), (1011, 1011)]
    assert both.tracks.tracks[0].position(1006) == pytest.approx(on_disc(shot, 5), abs=0.5)


def test_bad_arguments_are_named():
    tracks = ClickTracks([ClickTrack("p1", "positive", {1: (1.5, 1.5)})])
    with pytest.raises(InputError, match="direction 'sideways'"):
        propagate_clicks(tracks, [1, 2], lambda f: np.zeros((4, 4, 3), np.float32), "sideways")
    with pytest.raises(InputError, match="increasing order"):
        propagate_clicks(tracks, [2, 1], lambda f: np.zeros((4, 4, 3), np.float32))


@pytest.mark.skipif(not DAVIS.is_dir(), reason="DAVIS 2016 data not present at ../shared/data")
def test_on_davis_dog_a_tracked_click_stays_on_the_dog_where_a_held_one_falls_off():
    frames = list(range(60))
    rgb = {f: read_rgb(DAVIS / f"JPEGImages/480p/dog/{f:05d}.jpg") for f in frames}
    gt = {f: read_image(DAVIS / f"Annotations/480p/dog/{f:05d}.png").pixels[:, :, 0] > 0 for f in frames}
    depth = cv2.distanceTransform(gt[0].astype(np.uint8), cv2.DIST_L2, 5)
    row, col = np.unravel_index(int(depth.argmax()), depth.shape)
    tracks = ClickTracks([ClickTrack("p1", "positive", {0: (col + 0.5, row + 0.5)})])
    result = propagate_clicks(tracks, frames, rgb.__getitem__, "forward")
    track = result.tracks.tracks[0]
    assert result.switched_off == [] and sorted(track.keys) == frames
    on_dog = sum(bool(gt[f][int(track.keys[f][1]), int(track.keys[f][0])]) for f in frames)
    held_on_dog = sum(bool(gt[f][row, col]) for f in frames)
    assert on_dog >= 58
    assert held_on_dog <= 40


def occluded_shot(shot: DiscShot, *offsets, frame=1005, half=14):
    """``shot``'s frames with a patch of other texture over each click's spot (``offsets`` from the disc's
    centre) on ``frame`` only: those clicks' own tracks fail there while most of the disc stays trackable."""
    patch = texture(2 * half, 2 * half, seed=7)

    def rgb(f):
        image = shot.rgb(f - 1001)
        if f == frame:
            image = image.copy()
            for offset in offsets:
                x, y = (int(v) for v in shot.centre(f - 1001) + np.array(offset))
                image[y - half:y + half, x - half:x + half] = patch
        return image

    return rgb


def segmented_pass(tracks, rgb, reseed, frames=FRAMES, reseed_at="deepest point"):
    """Clicks stepped frame by frame, each frame segmented by the random walker from them (empty with no
    positive click) and the mask told back to the pass, as batch and eval do with HyperSeg."""
    from hyperseg.model.cues.classical import random_walker_segment

    tracker = PointTracker(TrackerConfig(reseed=reseed, reseed_at=reseed_at))
    tracking = TrackingPass(tracks, lambda f: to_gray(rgb(f)), tracker=tracker)
    masks = {}
    for frame in frames:
        positive, negative = tracking.step(frame)
        masks[frame] = random_walker_segment(rgb(frame), positive, negative) > 0.5 if positive else \
            np.zeros((240, 320), bool)
        tracking.segmented(masks[frame])
    return tracking.result(frames), masks


def test_a_lost_positive_click_is_re_seeded_from_the_previous_mask_and_the_mask_holds():
    shot = DiscShot()
    offset = (25, 0)
    rgb = occluded_shot(shot, offset)
    tracks = ClickTracks([ClickTrack("p1", "positive", {1001: on_disc(shot, 0, offset)}),
                          ClickTrack("n1", "negative", {1001: (290.5, 215.5)})])
    lost, lost_masks = segmented_pass(tracks, rgb, "never")
    [event] = lost.switched_off
    assert (event.click, event.frame) == ("p1", 1005) and "re-seeded" not in event.reason
    assert [f for f in FRAMES if not lost_masks[f].any()] == FRAMES[4:]

    result, masks = segmented_pass(tracks, rgb, "no positive click")
    [event] = result.switched_off
    assert (event.click, event.frame) == ("p1", 1005)
    assert "re-seeded as click 'p1_r1005'" in event.reason and "deepest point of frame 1004's mask" in event.reason
    p1, n1, reseeded = result.tracks.tracks
    assert n1.off == []
    assert p1.off == [(1005, 1012)] and reseeded.id == "p1_r1005" and reseeded.sign == "positive"
    assert reseeded.off == [(1001, 1004)] and sorted(reseeded.keys) == FRAMES[4:]
    for frame in FRAMES[4:]:
        assert reseeded.keys[frame] == pytest.approx(on_disc(shot, frame - 1001), abs=2.0)  # the disc's centre
    for frame in FRAMES:
        assert iou(masks[frame], shot.mask(frame - 1001)) > 0.9
    assert ClickTracks.from_dict(result.tracks.to_dict()) == result.tracks


def test_no_re_seed_while_another_positive_click_holds_unless_asked_for_every_switch_off():
    shot = DiscShot()
    offset = (25, 0)
    rgb = occluded_shot(shot, offset)
    tracks = ClickTracks([ClickTrack("p1", "positive", {1001: on_disc(shot, 0, offset)}),
                          ClickTrack("p2", "positive", {1001: on_disc(shot, 0, (-20, 10))})])
    held, _ = segmented_pass(tracks, rgb, "no positive click", FRAMES[:6])
    assert [t.id for t in held.tracks.tracks] == ["p1", "p2"] and "re-seeded" not in held.switched_off[0].reason
    every, _ = segmented_pass(tracks, rgb, "positive switch-off", FRAMES[:6])
    assert [t.id for t in every.tracks.tracks] == ["p1", "p2", "p1_r1005"]


@pytest.mark.parametrize("reseed_at", ["deepest point", "near the lost click"])
def test_clicks_lost_on_both_sides_of_the_object_are_re_seeded_where_reseed_at_says(reseed_at):
    """Two positive clicks 30 px either side of a disc's centre (radius 50) lost on the same frame: the
    deepest point replaces the first at the centre; near the lost click replaces each on its own side,
    at the edge of the mask's core (25 px from the centre, half the deepest point's depth)."""
    shot = DiscShot()
    rgb = occluded_shot(shot, (30, 0), (-30, 0))
    tracks = ClickTracks([ClickTrack("p1", "positive", {1001: on_disc(shot, 0, (30, 0))}),
                          ClickTrack("p2", "positive", {1001: on_disc(shot, 0, (-30, 0))})])
    result, masks = segmented_pass(tracks, rgb, "positive switch-off", FRAMES[:7], reseed_at)
    lost = [e for e in result.switched_off if e.frame == 1005]
    assert [e.click for e in lost] == ["p1", "p2"]
    reseeded = {t.id: t.keys[1005] for t in result.tracks.tracks[2:] if 1005 in t.keys}
    if reseed_at == "deepest point":
        assert list(reseeded) == ["p1_r1005"]
        assert reseeded["p1_r1005"] == pytest.approx(on_disc(shot, 4), abs=2.0)
    else:
        assert list(reseeded) == ["p1_r1005", "p2_r1005"]
        assert reseeded["p1_r1005"] == pytest.approx(on_disc(shot, 4, (25, 0)), abs=3.0)
        assert reseeded["p2_r1005"] == pytest.approx(on_disc(shot, 4, (-25, 0)), abs=3.0)
        assert all("the point of frame 1004's mask's core nearest where it was" in e.reason for e in lost)
    assert all(iou(masks[frame], shot.mask(frame - 1001)) > 0.9 for frame in FRAMES[:7])


def test_no_re_seed_lands_on_a_positive_click_that_is_already_there():
    """A click lost beside one at the disc's centre: its replacement would start at the deepest point,
    within the support radius of the other click, so nothing is added and the reason says which."""
    shot = DiscShot()
    rgb = occluded_shot(shot, (25, 0))
    tracks = ClickTracks([ClickTrack("p1", "positive", {1001: on_disc(shot, 0, (25, 0))}),
                          ClickTrack("p2", "positive", {1001: on_disc(shot, 0, (-4, 3))})])
    result, _ = segmented_pass(tracks, rgb, "positive switch-off", FRAMES[:6])
    [event] = result.switched_off
    assert (event.click, event.frame) == ("p1", 1005)
    assert "; not re-seeded: click 'p2' is on within 12 px of (" in event.reason
    assert event.reason.endswith("the deepest point of frame 1004's mask, moved by its tracked motion")
    assert [t.id for t in result.tracks.tracks] == ["p1", "p2"]


def test_tracking_again_from_the_same_keys_keeps_the_click_re_seeded_last_time():
    shot = DiscShot()
    offset = (25, 0)
    rgb = occluded_shot(shot, offset)
    artist = ClickTrack("p1", "positive", {1001: on_disc(shot, 0, offset)})
    first, _ = segmented_pass(ClickTracks([artist]), rgb, "positive switch-off")
    reseeded = first.tracks.tracks[1]
    again = ClickTracks([artist, ClickTrack(reseeded.id, "positive", {1005: reseeded.keys[1005]}, [(1001, 1004)])])
    second, masks = segmented_pass(again, rgb, "positive switch-off")
    [event] = second.switched_off
    assert (event.click, event.frame) == ("p1", 1005)
    assert event.reason.endswith("; click 'p1_r1005' already replaces it")
    assert [t.id for t in second.tracks.tracks] == ["p1", "p1_r1005"]
    assert all(iou(masks[frame], shot.mask(frame - 1001)) > 0.9 for frame in FRAMES)


@pytest.mark.parametrize("margin", [0.0, 8.0])
def test_clicks_on_the_wrong_side_of_the_moved_mask_switch_off_beyond_the_margin(margin):
    """A still plate whose told mask is a disc away from the positive click and over the negative one:
    beyond ``object_margin`` both switch off saying which side they are on, and the positive one is
    re-seeded inside the mask; with the margin 0 (off) both stay."""
    image = texture(240, 320, seed=5)
    y, x = np.mgrid[0:240, 0:320] + 0.5
    mask = (x - 220) ** 2 + (y - 120) ** 2 <= 40**2
    tracks = ClickTracks([ClickTrack("p1", "positive", {1001: (60.5, 60.5)}),
                          ClickTrack("p2", "positive", {1001: (245.5, 118.5)}),
                          ClickTrack("n1", "negative", {1001: (215.5, 125.5)})])
    tracker = PointTracker(TrackerConfig(object_margin=margin, reseed_at="deepest point"))
    tracking = TrackingPass(tracks, lambda f: to_gray(image), tracker=tracker)
    for frame in FRAMES[:2]:
        tracking.step(frame)
        tracking.segmented(mask)
    events = {e.click: e for e in tracking.result(FRAMES[:2]).switched_off}
    if not margin:
        assert events == {} and tracking.clicks() == ([(60.5, 60.5), (245.5, 118.5)], [(215.5, 125.5)])
        return
    assert set(events) == {"p1", "n1"} and all(e.frame == 1002 for e in events.values())
    assert events["p1"].reason.startswith("left its object: ") and "px outside frame 1001's mask moved (+0.0, +0.0)" \
        in events["p1"].reason and "re-seeded as click 'p1_r1002' at (219.5, 119.5)" in events["p1"].reason
    assert events["n1"].reason.startswith("covered by the object: ") and "px inside frame 1001's mask" in \
        events["n1"].reason
    positive, negative = tracking.clicks()
    assert negative == [] and positive[0] == pytest.approx((245.5, 118.5), abs=0.05)
    assert positive[1] == pytest.approx((220.5, 120.5), abs=1.0)


def test_a_negative_object_margin_is_refused():
    with pytest.raises(InputError, match="object_margin must be >= 0"):
        TrackerConfig(object_margin=-1.0)


@pytest.mark.parametrize("click, root", [("p1", "p1"), ("p1_r1005", "p1"), ("p1_r1005_2", "p1"),
                                         ("p1_r1005_r1009", "p1"), ("n_right", "n_right"), ("_r3", "_r3")])
def test_a_re_seeded_click_names_the_artist_s_click_it_replaces(click, root):
    assert reseeded_root(click) == root


def test_without_masks_nothing_is_re_seeded_and_steps_match_a_whole_run():
    shot = DiscShot()
    rgb = occluded_shot(shot, (25, 0))
    tracks = ClickTracks([ClickTrack("p1", "positive", {1001: on_disc(shot, 0, (25, 0))})])
    whole = propagate_clicks(tracks, FRAMES, rgb, "forward")
    tracking = TrackingPass(tracks, lambda f: to_gray(rgb(f)))
    for frame in FRAMES:
        tracking.step(frame)
    assert tracking.result(FRAMES) == whole and [t.id for t in whole.tracks.tracks] == ["p1"]


def test_a_bad_re_seed_rule_is_named():
    with pytest.raises(InputError, match="tracker reseed 'always' is not one of"):
        TrackerConfig(reseed="always")
    with pytest.raises(InputError, match="tracker reseed_at 'anywhere' is not one of 'deepest point', "):
        TrackerConfig(reseed_at="anywhere")
    with pytest.raises(InputError, match=r"reseed_core must be in \[0, 1\], got 2"):
        TrackerConfig(reseed_core=2)
