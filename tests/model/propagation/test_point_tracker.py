"""PointTracker on real OpenCV Lucas-Kanade over synthetic frames with known motion."""

from pathlib import Path

import numpy as np
import pytest

from hyperseg.imageio import read_rgb
from hyperseg.model.propagation.point_tracker import PointTracker, TrackerConfig, to_gray
from hyperseg.protocol.errors import InputError

from .moving_frames import DiscShot, shifted, texture

DAVIS = Path(__file__).resolve().parents[3] / "../shared/data/davis2016"


@pytest.mark.parametrize("dx, dy", [(3.0, -2.0), (0.4, 1.7), (-11.0, 6.0)])
def test_points_follow_a_known_translation_to_a_tenth_of_a_pixel(dx, dy):
    image = texture(240, 320, seed=3)
    source, target = to_gray(image), to_gray(shifted(image, dx, dy))
    points = [(80.5, 100.5), (200.25, 140.75), (160.5, 60.5)]
    tracked = PointTracker().step(source, target, points)
    for (x, y), result in zip(points, tracked, strict=True):
        assert result.trusted and result.reason is None
        assert result.support_kept >= result.support_total * 0.9
        assert result.position == pytest.approx((x + dx, y + dy), abs=0.1)


def test_object_points_move_with_the_object_and_background_points_stay():
    shot = DiscShot()
    inside, outside = tuple(shot.centre(0) + 0.5), (290.5, 215.5)
    tracked = PointTracker().step(to_gray(shot.rgb(0)), to_gray(shot.rgb(1)), [inside, outside])
    assert tracked[0].position == pytest.approx(tuple(np.add(inside, shot.velocity)), abs=0.3)
    assert tracked[1].position == pytest.approx(outside, abs=0.05)


@pytest.mark.parametrize("own_side", [True, False])
def test_a_click_on_a_small_object_follows_its_own_side_of_the_mask(own_side):
    # Most of the click's support disc lies on the still background around a small moving disc.
    shot = DiscShot(velocity=(6.0, 0.0), radius=10.0)
    click, background_click = tuple(shot.start + 0.5), (shot.start[0] - 30.5, shot.start[1] + 0.5)
    tracker = PointTracker(TrackerConfig(window=9, support_radius=24.0, own_side=own_side))
    source, target = to_gray(shot.rgb(0)), to_gray(shot.rgb(1))
    tracked = tracker.step(source, target, [click, background_click], shot.mask(0), [True, False])
    assert tracked[1].position == pytest.approx(background_click, abs=0.3)
    if own_side:
        assert tracked[0].position == pytest.approx((click[0] + 6.0, click[1]), abs=0.5)
    else:
        assert tracked[0].position == pytest.approx(click, abs=0.5)  # carried by the background
    [unmasked] = tracker.step(source, target, [click])
    assert unmasked.position == pytest.approx(click, abs=0.5)


def test_a_point_covered_by_an_occluder_switches_off_with_the_forward_backward_reason():
    image = texture(240, 320, seed=4)
    covered = image.copy()
    covered[80:170, 110:210] = 0.5  # a flat grey occluder over the click
    tracked = PointTracker().step(to_gray(image), to_gray(covered), [(160.5, 120.5), (40.5, 200.5)])
    assert tracked[0].position is None and not tracked[0].trusted
    assert tracked[0].reason.startswith("forward-backward check failed:")
    assert f"of {tracked[0].support_total} support points came back within 3 px" in tracked[0].reason
    assert tracked[1].position == pytest.approx((40.5, 200.5), abs=0.05)


@pytest.mark.skipif(not DAVIS.is_dir(), reason="DAVIS 2016 data not present at ../shared/data")
def test_no_point_survives_a_cut_between_two_davis_shots():
    dog = to_gray(read_rgb(DAVIS / "JPEGImages/480p/dog/00000.jpg"))
    goat = to_gray(read_rgb(DAVIS / "JPEGImages/480p/goat/00000.jpg"))
    points = [(x + 0.5, y + 0.5) for x in range(40, 820, 60) for y in range(40, 450, 60)]
    tracked = PointTracker().step(dog, goat, points)
    assert [t for t in tracked if t.trusted] == []
    assert all(t.reason.startswith("forward-backward check failed") for t in tracked)


def test_a_point_carried_out_of_the_frame_switches_off_saying_where():
    image = texture(240, 320, seed=6)
    [result] = PointTracker().step(to_gray(image), to_gray(shifted(image, 2.0, 0.0)), [(318.5, 120.5)])
    assert result.position is None
    assert result.reason.startswith("left the 320x240 frame at (320.")


def test_support_grid_and_bad_settings():
    offsets = TrackerConfig(support_radius=8, support_step=4).support_offsets()
    assert offsets[0].tolist() == [0, 0] and len(offsets) == 13
    assert np.hypot(offsets[:, 0], offsets[:, 1]).max() <= 8
    with pytest.raises(InputError, match="odd"):
        TrackerConfig(window=20)
    with pytest.raises(InputError, match="grey uint8"):
        PointTracker().step(np.zeros((4, 4), np.float32), np.zeros((4, 4), np.float32), [(1.5, 1.5)])
