import numpy as np
import pytest

from hyperseg.model.config import CLICK_CHANGES, ModelConfig
from hyperseg.model.cues.click_locality import limit_click_changes


def before_and_after():
    """One hypothesis: a square object; the re-run grew it where the click landed (left), grew a
    far blob (right) and lost a far corner (top)."""
    old = np.zeros((1, 40, 60), np.float32)
    old[0, 10:30, 10:30] = 0.9
    new = old.copy()
    new[0, 10:30, 30:36] = 0.8  # grown next to the square, where the positive click is
    new[0, 5:15, 45:55] = 0.7  # a blob far away, not touching the square's growth
    new[0, 10:14, 10:14] = 0.2  # a corner lost
    new[0, 20:25, 15:20] = 0.6  # still foreground, softer: not a flip
    return old, new


CLICK = [(33.5, 20.5)]


def test_any_keeps_the_networks_answer():
    old, new = before_and_after()
    assert limit_click_changes(old, new, CLICK, [], "any") is new


def test_direction_undoes_what_a_positive_click_removed():
    old, new = before_and_after()
    out = limit_click_changes(old, new, CLICK, [], "direction")
    assert np.array_equal(out[0, 10:14, 10:14], old[0, 10:14, 10:14])  # the lost corner is back
    assert np.array_equal(out[0, 5:15, 45:55], new[0, 5:15, 45:55])  # growth anywhere is allowed
    assert np.array_equal(out[0, 10:30, 30:36], new[0, 10:30, 30:36])
    assert np.array_equal(out[0, 20:25, 15:20], new[0, 20:25, 15:20])  # soft change without a flip stays
    assert np.array_equal(new, before_and_after()[1])  # the input is not modified


def test_connected_keeps_only_the_clicks_region():
    old, new = before_and_after()
    out = limit_click_changes(old, new, CLICK, [], "connected")
    assert np.array_equal(out[0, 10:30, 30:36], new[0, 10:30, 30:36])
    assert np.array_equal(out[0, 5:15, 45:55], old[0, 5:15, 45:55])  # the far blob is undone
    assert np.array_equal(out[0, 10:14, 10:14], old[0, 10:14, 10:14])
    assert np.array_equal(out[0, 20:25, 15:20], new[0, 20:25, 15:20])


def test_reach_keeps_growth_within_a_disc_sized_by_the_clicks_depth():
    old, new = before_and_after()
    out = limit_click_changes(old, new, CLICK, [], "reach", 3.0, 1.0)
    depth = 33 - 29  # from the clicked pixel to the nearest pixel of the old square
    rows, cols = np.mgrid[:40, :60]
    near = np.hypot(cols + 0.5 - 33.5, rows + 0.5 - 20.5) <= 3 * depth  # pixel centres
    grown = (new[0] > 0.5) & (old[0] <= 0.5)
    assert np.array_equal(out[0][grown & near], new[0][grown & near])
    assert np.array_equal(out[0][grown & ~near], old[0][grown & ~near])
    assert (grown & near).any() and (grown & ~near).any()
    assert np.array_equal(out[0, 10:14, 10:14], old[0, 10:14, 10:14])  # and it never shrinks


def test_a_positive_click_may_have_a_reach_of_its_own():
    old, new = before_and_after()
    grown = (new[0] > 0.5) & (old[0] <= 0.5)
    shared = limit_click_changes(old, new, CLICK, [], "reach", 3.0, 1.0)
    own = limit_click_changes(old, new, CLICK, [], "reach", 9.0, 1.0, positive_reach=3.0)
    assert np.array_equal(own, shared)  # a positive click's reach is its own, whatever a negative click's is
    wider = limit_click_changes(old, new, CLICK, [], "reach", 3.0, 1.0, positive_reach=9.0)
    assert np.count_nonzero(wider[0][grown] > 0.5) > np.count_nonzero(shared[0][grown] > 0.5)
    corner = [(11.5, 11.5)]  # and a negative click's reach stays click_reach
    assert np.array_equal(limit_click_changes(old, new, [], corner, "reach", 3.0, 1.0, positive_reach=0.5),
                          limit_click_changes(old, new, [], corner, "reach", 3.0, 1.0))


def test_a_negative_click_may_shrink_its_own_region_only():
    old, new = before_and_after()
    corner = [(11.5, 11.5)]
    connected = limit_click_changes(old, new, [], corner, "connected")
    assert np.array_equal(connected[0, 10:14, 10:14], new[0, 10:14, 10:14])
    assert np.array_equal(connected[0, 10:30, 30:36], old[0, 10:30, 30:36])
    direction = limit_click_changes(old, new, [], corner, "direction")
    assert np.array_equal(direction[0, 10:14, 10:14], new[0, 10:14, 10:14])
    assert np.array_equal(direction[0, 5:15, 45:55], old[0, 5:15, 45:55])  # growth is undone


def test_a_click_whose_pixel_did_not_flip_changes_nothing_when_connected():
    old, new = before_and_after()
    out = limit_click_changes(old, new, [(20.5, 20.5)], [], "connected")  # inside the old square already
    assert np.array_equal(out[0] > 0.5, old[0] > 0.5)


def test_the_config_names_the_modes():
    assert {ModelConfig(click_changes=mode).click_changes for mode in CLICK_CHANGES} == set(CLICK_CHANGES)
    with pytest.raises(ValueError, match="click_changes must be one of"):
        ModelConfig(click_changes="nearby")


def test_reach_along_the_contour_also_keeps_a_sliver_along_the_contour_but_not_a_flood():
    """The re-run grew a thin sliver all along the square's right edge (the click at its middle) and
    poured from it into the background; only the sliver is kept, the far pour undone."""
    old = np.zeros((1, 60, 60), np.float32)
    old[0, 10:50, 10:30] = 0.9
    new = old.copy()
    new[0, 10:50, 30:32] = 0.8  # a 2-pixel sliver, 40 pixels long
    new[0, 28:32, 32:58] = 0.8  # a flood from the sliver's middle, far into the background
    click = [(30.5, 30.5)]  # depth 1: the reach is 3 pixels
    disc = limit_click_changes(old, new, click, [], "reach", 3.0, 1.0)
    along = limit_click_changes(old, new, click, [], "reach", 3.0, 1.0, along=3.0)
    assert (disc[0, 10:20, 30:32] < 0.5).all()  # beyond the disc, the sliver is undone by "reach"
    assert (along[0, 10:50, 30:32] > 0.5).all()  # and kept along its whole length by reach along the contour
    assert (along[0, 28:32, 40:58] < 0.5).all() and (disc[0, 28:32, 40:58] < 0.5).all()  # the flood stops
    assert np.array_equal(along[0] > 0.5, (disc[0] > 0.5) | ((new[0] > 0.5) & (old[0] <= 0.5) & (
        np.arange(60)[None, :] <= 32)))  # within 3 pixels of the old square


def test_reach_along_the_contour_shrinks_along_the_contour_for_a_negative_click():
    old = np.zeros((1, 60, 60), np.float32)
    old[0, 10:50, 10:30] = 0.9
    new = old.copy()
    new[0, 10:50, 28:30] = 0.1  # the right edge's last two columns lost, all along
    out = limit_click_changes(old, new, [], [(28.5, 30.5)], "reach", 3.0, 1.0, along=3.0)
    assert (out[0, 10:50, 28:30] < 0.5).all()
    assert (limit_click_changes(old, new, [], [(28.5, 30.5)], "reach", 3.0, 1.0)[0, 10:20, 28:30] > 0.5).all()


def test_reach_along_the_image_stops_at_an_edge_the_straight_reach_crosses():
    """The re-run grew the square rightwards across a strong edge (column 40); measured along the image the
    click's reach ends at the edge, measured straight it goes on past it."""
    old, new = np.zeros((1, 40, 60), np.float32), np.zeros((1, 40, 60), np.float32)
    old[0, 10:30, 10:30] = 0.9
    new[0, 10:30, 10:50] = 0.8
    gradient = np.zeros((40, 60), np.float32)
    gradient[:, 40] = 1.0  # crossing it costs 11 pixels' worth
    click = [(33.5, 20.5)]  # depth 4: the reach is 12 pixels
    straight = limit_click_changes(old, new, click, [], "reach", 3.0, 1.0)
    along = limit_click_changes(old, new, click, [], "reach", 3.0, 1.0, gradient=gradient)
    assert (straight[0, 18:23, 41:45] > 0.5).all()
    assert (along[0, 18:23, 41:45] < 0.5).all()
    assert (along[0, 18:23, 30:40] > 0.5).all()  # this side of the edge it reaches as far as straight


def test_reach_along_the_image_is_never_longer_than_straight():
    rng = np.random.default_rng(7)
    old = np.zeros((1, 50, 50), np.float32)
    old[0, 15:35, 15:35] = 0.9
    new = rng.random((1, 50, 50), dtype=np.float32)
    gradient = rng.random((50, 50), dtype=np.float32) * 0.2
    for positive, negative in [([(40.5, 25.5)], []), ([], [(17.5, 25.5)])]:
        straight = limit_click_changes(old, new, positive, negative, "reach", 4.0, 2.0)
        along = limit_click_changes(old, new, positive, negative, "reach", 4.0, 2.0, gradient=gradient)
        changed_along, changed_straight = (along > 0.5) != (old > 0.5), (straight > 0.5) != (old > 0.5)
        assert changed_along.any() and not (changed_along & ~changed_straight).any()
        assert (changed_straight & ~changed_along).any()


def test_a_depth_cap_stops_a_flood_deep_into_the_background_but_keeps_the_error_near_the_contour():
    """The click sits 4 pixels off the square's right edge (the error it was placed in is 8 wide); the
    re-run filled the error and poured on to the right within the disc: only pixels within 2x the
    click's depth of the old square are kept."""
    old = np.zeros((1, 60, 80), np.float32)
    old[0, 10:50, 10:30] = 0.9
    new = old.copy()
    new[0, 20:40, 30:38] = 0.8  # the error, 8 columns off the square
    new[0, 26:34, 38:60] = 0.8  # the flood, on to the right
    click = [(33.5, 30.5)]  # depth 4 (to column 29)
    disc = limit_click_changes(old, new, click, [], "reach", 8.0, 1.0)
    capped = limit_click_changes(old, new, click, [], "reach", 8.0, 1.0, deepest=2.0)
    assert (disc[0, 26:34, 38:60] > 0.5).all()  # the disc alone keeps the flood
    depth = np.maximum(np.arange(80) - 29, 0)[None, :]  # columns' distance to the old square, in its rows
    grown = (new[0] > 0.5) & (old[0] <= 0.5)
    assert np.array_equal(capped[0] > 0.5, (old[0] > 0.5) | (grown & (depth <= 8)))
    smallest = limit_click_changes(old, new, click, [], "reach", 8.0, 40.0, deepest=2.0)
    assert np.array_equal(smallest, limit_click_changes(old, new, click, [], "reach", 8.0, 40.0))  # floor


def test_a_depth_cap_limits_a_negative_click_the_same_way():
    old = np.zeros((1, 60, 60), np.float32)
    old[0, 10:50, 10:50] = 0.9
    new = old.copy()
    new[0, 25:35, 10:40] = 0.1  # a cut from the left edge 30 deep into the object
    out = limit_click_changes(old, new, [], [(12.5, 30.5)], "reach", 20.0, 1.0, deepest=1.5)  # depth 3
    assert (out[0, 25:35, 10:14] < 0.5).all() and (out[0, 25:35, 15:40] > 0.5).all()
    with pytest.raises(ValueError, match="click_reach_depth"):
        ModelConfig(click_reach_depth=-1.0)


def test_beyond_the_depth_cap_a_pixel_of_the_objects_colour_still_changes():
    """The square is red on grey; the re-run filled a red limb running 30 pixels deep from it and poured
    into the grey background as deep: with the colour check only the limb is kept whole."""
    old = np.zeros((1, 60, 80), np.float32)
    old[0, 10:50, 10:30] = 0.9
    rgb = np.full((60, 80, 3), 0.5, np.float32)
    rgb[10:50, 10:30] = (0.9, 0.1, 0.1)
    rgb[20:24, 30:60] = (0.9, 0.1, 0.1)  # the limb
    new = old.copy()
    new[0, 20:24, 30:60] = 0.8
    new[0, 34:40, 30:60] = 0.8  # the flood, as deep, of the background's colour
    click = [(31.5, 21.5)]  # depth 2: the cap alone keeps 4 columns
    capped = limit_click_changes(old, new, click, [], "reach", 30.0, 1.0, deepest=2.0)
    coloured = limit_click_changes(old, new, click, [], "reach", 30.0, 1.0, deepest=2.0, rgb=rgb)
    assert (capped[0, 20:24, 34:60] < 0.5).all() and (capped[0, 34:40, 34:60] < 0.5).all()
    assert (coloured[0, 20:24, 30:60] > 0.5).all()
    assert np.array_equal(coloured[0, 34:40], capped[0, 34:40])  # the grey flood stops at the cap
    assert np.array_equal(limit_click_changes(old, new, click, [], "reach", 30.0, 1.0, rgb=rgb),
                          limit_click_changes(old, new, click, [], "reach", 30.0, 1.0))  # no cap: colour unused


def test_a_thickness_limit_keeps_a_limb_filled_along_its_length_but_not_the_blob_it_pours_into():
    """The click sits in a limb 4 wide (half-width 2) grown 30 deep from the square, whose tip pours into a
    blob 20 wide: at 3x the limb's half-width the limb is kept up to where it meets the blob and the blob is
    undone; a depth cap of 2x would have cut the limb at 4 columns."""
    old = np.zeros((1, 60, 90), np.float32)
    old[0, 10:50, 10:30] = 0.9
    new = old.copy()
    new[0, 20:24, 30:60] = 0.8  # the limb
    new[0, 12:52, 60:80] = 0.8  # the blob at its tip
    click = [(40.5, 21.5)]
    disc = limit_click_changes(old, new, click, [], "reach", 30.0, 1.0)
    thin = limit_click_changes(old, new, click, [], "reach", 30.0, 1.0, thickness=3.0)
    assert (disc[0, 12:52, 60:80] > 0.5).sum() > 0.9 * 40 * 20  # the reach alone keeps most of the blob
    assert (thin[0, 20:24, 30:55] > 0.5).all()
    assert (thin[0, 12:52, 60:80] > 0.5).sum() < 0.1 * 40 * 20  # an opening: the blob's corners stay
    grown = (new[0] > 0.5) & (old[0] <= 0.5)
    assert not ((thin[0] > 0.5) & ~(old[0] > 0.5) & ~grown).any()  # it only undoes


def test_a_thickness_limit_keeps_a_thick_change_where_the_click_is_as_thick_and_has_a_floor():
    """A click in the middle of a wide fill keeps it (the fill is as thick as where it landed); a floor of
    at least the blob's half-width keeps the limb's blob too; a negative click is limited the same way."""
    old = np.zeros((1, 60, 90), np.float32)
    old[0, 10:50, 10:30] = 0.9
    new = old.copy()
    new[0, 10:50, 30:50] = 0.8  # a fill 20 wide, clicked in its middle
    out = limit_click_changes(old, new, [(40.5, 30.5)], [], "reach", 30.0, 1.0, thickness=1.5)
    assert np.array_equal(out, limit_click_changes(old, new, [(40.5, 30.5)], [], "reach", 30.0, 1.0))
    limb = old.copy()
    limb[0, 20:24, 30:60] = 0.8
    limb[0, 12:52, 60:80] = 0.8
    floor = limit_click_changes(old, limb, [(40.5, 21.5)], [], "reach", 30.0, 11.0, thickness=3.0)
    assert (floor[0, 12:52, 60:80] > 0.5).all()
    cut = old.copy()
    cut[0, 28:30, 10:20] = 0.1  # a thin cut from the left edge, clicked
    cut[0, 10:50, 20:30] = 0.1  # that took the object's right half
    negative = limit_click_changes(old, cut, [], [(15.5, 28.5)], "reach", 30.0, 1.0, thickness=3.0)
    assert (negative[0, 28:30, 10:17] < 0.5).all() and (negative[0, 15:45, 22:28] > 0.5).all()
    with pytest.raises(ValueError, match="click_reach_thickness"):
        ModelConfig(click_reach_thickness=-1.0)
