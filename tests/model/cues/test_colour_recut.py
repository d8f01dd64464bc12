import math

import cv2
import numpy as np
import pytest

from hyperseg.model.config import ModelConfig
from hyperseg.model.cues.colour_recut import (
    RECUT_PIXELS,
    colour_overlap,
    recut_labels,
    recut_pixels,
    recut_with_grabcut,
)


def two_tone_object():
    """A 40x40 object of two colours (left half red, right half yellow) on a noisy blue background;
    the background's colour model knows no red or yellow."""
    rng = np.random.default_rng(0)
    rgb = np.clip(np.array([0.1, 0.2, 0.7]) + 0.03 * rng.standard_normal((96, 120, 3)), 0, 1).astype(np.float32)
    rgb[28:68, 40:60] = (0.9, 0.1, 0.1)
    rgb[28:68, 60:80] = (0.9, 0.9, 0.1)
    truth = np.zeros((96, 120), bool)
    truth[28:68, 40:80] = True
    return rgb, truth


def iou(mask, truth):
    return (mask & truth).sum() / (mask | truth).sum()


def test_labels_are_the_mask_a_band_around_it_and_background_beyond():
    inside = np.zeros((60, 60), bool)
    inside[20:40, 20:40] = True
    radius = math.sqrt(400 / math.pi)
    labels = recut_labels(inside, 0.5, [(30.5, 30.5)], [(5.5, 50.5)], diagonal=85.0)
    assert labels[25, 25] == cv2.GC_PR_FGD and labels[30, 30] == cv2.GC_FGD
    assert labels[30, 40 + int(0.5 * radius) - 1] == cv2.GC_PR_BGD
    assert labels[30, 40 + int(0.5 * radius) + 2] == cv2.GC_BGD
    assert labels[50, 5] == cv2.GC_BGD and labels[0, 30] == cv2.GC_BGD


def test_a_mask_short_of_the_object_grows_to_its_edge_within_the_band():
    rgb, truth = two_tone_object()
    hypotheses = np.full((2, 96, 120), 0.1, np.float32)
    hypotheses[0, 34:62, 44:76] = 0.8  # 6 pixels short of the top and bottom, 4 of the sides
    hypotheses[1] = 0.9  # no contour: left alone
    out = recut_with_grabcut(hypotheses, rgb, [(50.5, 48.5)], [], band=0.5)
    assert iou(hypotheses[0] > 0.5, truth) < 0.7 and iou(out[0] > 0.5, truth) > 0.95
    grown = (out[0] > 0.5) & ~(hypotheses[0] > 0.5)
    assert np.allclose(out[0][grown], 0.9)  # the network's confidence, on the other side
    assert np.array_equal(out[1], hypotheses[1])


def test_the_band_bounds_how_far_it_grows():
    rgb, truth = two_tone_object()
    hypotheses = np.full((1, 96, 120), 0.1, np.float32)
    hypotheses[0, 34:62, 44:76] = 0.8
    narrow = recut_with_grabcut(hypotheses, rgb, [(45.5, 48.5)], [], band=0.1)[0] > 0.5
    wide = recut_with_grabcut(hypotheses, rgb, [(45.5, 48.5)], [], band=0.5)[0] > 0.5
    assert not narrow[:30].any()  # 0.1 x the mask's radius is 1.7 pixels
    assert iou(wide, truth) > iou(narrow, truth) + 0.1


def test_clicked_pixels_keep_their_side():
    rgb, _ = two_tone_object()
    hypotheses = np.full((1, 96, 120), 0.1, np.float32)
    hypotheses[0, 28:68, 40:80] = 0.8
    out = recut_with_grabcut(hypotheses, rgb, [(50.5, 48.5)], [(70.5, 48.5)], band=0.25)
    assert out[0, 48, 50] > 0.5 and out[0, 48, 70] < 0.5


def test_band_is_validated():
    with pytest.raises(ValueError, match="first_click_recut"):
        ModelConfig(first_click_recut=-0.1)


def test_a_grid_of_another_size_is_cut_at_the_working_size_and_resized_back():
    rgb, truth = two_tone_object()
    big_rgb = np.repeat(np.repeat(rgb, 2, axis=0), 2, axis=1)
    big_truth = np.repeat(np.repeat(truth, 2, axis=0), 2, axis=1)
    hypotheses = np.full((1, 192, 240), 0.1, np.float32)
    hypotheses[0, 68:124, 88:152] = 0.8
    assert iou(hypotheses[0] > 0.5, big_truth) < 0.6
    for pixels in (192 * 240, 96 * 120, 384 * 480):  # its own size, half and twice it
        cut = recut_with_grabcut(hypotheses, big_rgb, [(100.5, 96.5)], [], band=0.5, pixels=pixels)[0] > 0.5
        assert iou(cut, big_truth) > 0.95, pixels


def test_cut_at_another_size_it_moves_no_pixel_where_grabcut_changed_nothing():
    rgb, truth = two_tone_object()
    big_rgb = np.repeat(np.repeat(rgb, 2, axis=0), 2, axis=1)
    hypotheses = np.where(np.repeat(np.repeat(truth, 2, axis=0), 2, axis=1), 0.8, 0.1).astype(np.float32)[None]
    hypotheses[0, 60:62, 85:87] = 0.3  # a hole of two pixels the shrunk grid cannot see
    out = recut_with_grabcut(hypotheses, big_rgb, [(100.5, 96.5)], [], band=0.25, pixels=96 * 120)
    assert np.array_equal(out, hypotheses)


def test_a_frame_smaller_than_the_working_size_is_cut_at_its_own():
    assert recut_pixels((96, 128)) == 96 * 128
    assert recut_pixels((480, 854)) == RECUT_PIXELS == recut_pixels((360, 640))


def test_colour_overlap_is_one_for_the_same_colours_and_near_zero_for_none_shared():
    rgb, truth = two_tone_object()
    patch = np.zeros_like(truth)
    patch[40:56, 50:70] = True  # a patch of the object: red and yellow inside, the same around it
    short = np.zeros_like(truth)
    short[34:62, 46:74] = True  # 6 pixels short of the object's edge: a ring of its colours and the blue's
    assert colour_overlap(rgb, truth) < 0.05
    assert colour_overlap(rgb, patch) == pytest.approx(1.0)
    assert 0.3 < colour_overlap(rgb, short) < 0.8
    grey = np.full_like(rgb, 0.5)
    assert colour_overlap(grey, truth) == pytest.approx(1.0)
    assert colour_overlap(rgb, np.zeros_like(truth)) == 1.0 and colour_overlap(rgb, np.ones_like(truth)) == 1.0


def test_a_hypothesis_whose_colours_stand_apart_is_re_cut_within_the_wide_band():
    """The answer stops 6 pixels short of the object's edge: within a band of 0.1 of its radius GrabCut
    cannot reach the edge (and, its background model holding the object's colours, gives the answer up);
    within the wide band of 1.0, taken where the colours overlap by less than the threshold, it takes the
    object; at a threshold the overlap is not under, the cut is the narrow one."""
    rgb, truth = two_tone_object()
    hypotheses = np.full((1, 96, 120), 0.1, np.float32)
    hypotheses[0, 34:62, 46:74] = 0.8
    own = {"pixels": 96 * 120}  # cut (and the overlap measured) on the frame's own grid
    narrow = recut_with_grabcut(hypotheses, rgb, [(50.5, 48.5)], [], band=0.1, **own)
    overlap = colour_overlap(rgb, hypotheses[0] > 0.5)
    wide = recut_with_grabcut(hypotheses, rgb, [(50.5, 48.5)], [], band=0.1, wide=1.0, overlap=overlap + 0.01, **own)
    unmet = recut_with_grabcut(hypotheses, rgb, [(50.5, 48.5)], [], band=0.1, wide=1.0, overlap=overlap, **own)
    assert iou(wide[0] > 0.5, truth) > 0.95 and iou(narrow[0] > 0.5, truth) < 0.5
    np.testing.assert_array_equal(unmet, narrow)
    with pytest.raises(ValueError, match="first_click_recut_overlap"):
        ModelConfig(first_click_recut_wide=1.0, first_click_recut_overlap=1.5)
