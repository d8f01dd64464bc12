"""The random walker on a crop: the frame's edges seeded as the frame walker seeds them, cut edges as before."""

import math

import numpy as np

from hyperseg.model.cues.classical import crop_walker, random_walker_segment


def _frame():
    rgb = np.random.default_rng(0).uniform(0.0, 0.1, (40, 56, 3)).astype(np.float32)
    rgb[8:32, 10:46] += 0.8
    return rgb


def test_a_crop_that_is_the_frame_is_the_frame_walker():
    rgb = _frame()
    positive, negative = [(20.5, 20.5)], [(3.5, 36.5)]
    previous = np.ones(rgb.shape[:2], bool)  # ignored: every edge of this crop is the frame's
    crop = crop_walker(rgb, positive, negative, previous, (True, True, True, True), math.hypot(40, 56),
                       float(rgb.std()), 50_000)
    np.testing.assert_allclose(crop, random_walker_segment(rgb, positive, negative), atol=1e-6)


def test_cut_edges_take_the_previous_side():
    """A crop inside the object with one negative click: its cut border says foreground, so the
    walker keeps the object around the click's background disk instead of flooding it."""
    rgb = _frame()[10:30, 14:42]
    inside = np.ones(rgb.shape[:2], bool)
    probability = crop_walker(rgb, [], [(14.5, 10.5)], inside, (False, False, False, False), 60.0,
                              float(_frame().std()), 50_000)
    assert probability[10, 14] < 0.5
    assert probability[0, 0] > 0.5 and probability[-1, -1] > 0.5
    outside = np.zeros(rgb.shape[:2], bool)
    assert not crop_walker(rgb, [], [(14.5, 10.5)], outside, (False,) * 4, 60.0, 0.3, 50_000).any()
