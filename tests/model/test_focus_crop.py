"""The focus crop: later clicks re-run only the window they can change, pasted into the previous mask."""

from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import ndimage

from hyperseg.model import Predictor
from hyperseg.model.config import ModelConfig
from hyperseg.model.focus import context_window, focus_window, full_window, interpolate_window

#: Tiny network with every cue and post-process of the default config.
#: Click distances are measured in the pixels of these tests' 96x72 frames.
CUED = replace(ModelConfig.tiny(), extra_context=("geodesic_distance", "walker_probability"), enforce_clicks=True,
               boundary_band=0.05, distance_frame=(96, 72))


def object_frame(height=72, width=96):
    """A bright rectangle on a dark, slightly noisy background."""
    rgb = np.random.default_rng(0).uniform(0.0, 0.1, (height, width, 3)).astype(np.float32)
    rgb[12:60, 16:80] += 0.8
    return rgb


@pytest.mark.parametrize(("source", "size", "window"), [
    ((5, 7), (23, 31), (0, 0, 23, 31)),
    ((5, 7), (23, 31), (4, 9, 17, 30)),
    ((40, 30), (97, 61), (90, 1, 97, 60)),
    ((40, 30), (13, 11), (2, 3, 9, 11)),
    ((5, 7), (10, 14), (0, 0, 10, 14)),  # whole multiples: F.interpolate on the block the window reads
    ((5, 7), (10, 14), (3, 5, 8, 13)),
    ((24, 43), (48, 86), (1, 2, 47, 85)),
    ((24, 43), (48, 86), (40, 0, 48, 3)),
])
def test_interpolate_window_equals_interpolating_everything(source, size, window):
    image = torch.rand(3, *source)
    whole = F.interpolate(image[None], size=size, mode="bilinear", align_corners=False)[0]
    y0, x0, y1, x1 = window
    assert torch.allclose(interpolate_window(image, size, window), whole[:, y0:y1, x0:x1], atol=1e-6)


def test_focus_window_grows_with_the_distance_to_the_contour():
    alpha = np.zeros((200, 300), np.float32)
    alpha[50:150, 50:150] = 1.0
    near = focus_window(alpha, [(155.5, 100.5)])  # 5 px outside the square: the smallest window
    far = focus_window(alpha, [(230.5, 100.5)])  # 80 px outside it
    minimum = round(0.1 * np.hypot(200, 300))
    assert near == (100 - minimum, 155 - minimum, 101 + minimum, 156 + minimum)
    assert far == (0, 0, 200, 300)
    assert focus_window(np.zeros((20, 20)), [(3.5, 3.5)]) is None  # no contour: anything can change
    assert full_window((10, 20, 30, 40), (50, 60), (100, 120)) == (18, 38, 62, 82)
    assert context_window((10, 10, 20, 30), (40, 60)) == (5, 0, 25, 40)  # half the window more each side, clipped


def test_a_window_covering_the_frame_gives_the_whole_frame_answer():
    """Every cue, post-process and paste on a crop that is the whole frame equals the whole-frame run."""
    rgb = object_frame()
    focused = Predictor.untrained(seed=2, config=CUED)
    whole = Predictor.untrained(seed=2, config=CUED, focus_crop=False)
    focused.set_frame(rgb)
    whole.set_frame(rgb)
    positive, negative = [(40.5, 30.5)], [(5.5, 5.5)]
    first = focused.predict(positive, negative)
    assert first.window is None
    later_positive = [*positive, (39.5, 35.5)]  # the deepest point of the object: 24 px from its contour
    focus_result = focused.predict(later_positive, negative)
    assert focus_result.window == (0, 0, 72, 96)
    whole_result = whole.predict(later_positive, negative)
    assert whole_result.window is None
    np.testing.assert_allclose(focus_result.masks, whole_result.masks, atol=1e-5)


@pytest.mark.parametrize("proxy", [1.0, 0.5])
def test_pixels_outside_the_window_keep_the_previous_mask(proxy):
    height, width = 240, 320
    rgb = np.random.default_rng(1).uniform(0.0, 0.1, (height, width, 3)).astype(np.float32)
    rgb[40:200, 60:260] += 0.8
    predictor = Predictor.untrained(seed=4, config=CUED, focus_pixels=40 * 40)
    predictor.set_frame(rgb, proxy=proxy)
    first = predictor.predict([(160.5, 120.5)], [(10.5, 10.5)])
    if not (first.alpha > 0.5).any() or (first.alpha > 0.5).all():
        first = predictor.predict([(160.5, 120.5)], [(10.5, 10.5), (300.5, 230.5)])
    inside = first.focus.run_masks[0] > 0.5
    assert inside.any() and not inside.all()
    rows, cols = np.nonzero(inside)
    click = (cols[0] + 0.5) / proxy, (rows[0] + 0.5) / proxy  # on the contour: the smallest window
    later = predictor.predict([*first.focus.positive, click], first.focus.negative)
    assert later.window is not None
    y0, x0, y1, x1 = full_window(later.window, first.focus.run_masks.shape[1:], (height, width))
    assert (y1 - y0) * (x1 - x0) < 0.5 * height * width
    outside = np.ones((height, width), bool)
    outside[y0:y1, x0:x1] = False
    assert np.array_equal(later.masks[:, outside], first.masks[:, outside])
    assert not np.array_equal(later.masks, first.masks)
    confidence = np.abs(later.masks - 0.5).mean(axis=(1, 2)) * 2
    np.testing.assert_allclose(later.scores, [confidence[0]] + [0.0] * (len(confidence) - 1), atol=1e-6)  # h0 refined
    if proxy != 1.0:  # the pasted full-resolution masks are the run grid's, sampled up as a whole frame
        up = F.interpolate(torch.from_numpy(later.focus.run_masks)[None], size=(height, width), mode="bilinear",
                           align_corners=False)[0].numpy()
        np.testing.assert_allclose(later.masks, up, atol=1e-5)


def test_a_removed_click_or_another_frame_runs_the_whole_frame():
    rgb = object_frame()
    predictor = Predictor.untrained(seed=2, config=CUED)
    predictor.set_frame(rgb)
    predictor.predict([(40.5, 30.5)], [(5.5, 5.5)])
    assert predictor.predict([(40.5, 30.5)], []).window is None  # a click taken away
    other = predictor.encode_frame(rgb)
    previous = predictor.predict([(40.5, 30.5)], [(5.5, 5.5)])
    fresh = predictor.predict_encoded(other, [(40.5, 30.5), (70.5, 50.5)], [(5.5, 5.5)], previous=previous)
    assert fresh.window is None  # another encoding, even of the same pixels


def test_band_refines_only_the_hypotheses_asked_for():
    rgb = object_frame()
    predictor = Predictor.untrained(seed=2, config=CUED)
    plain = Predictor.untrained(seed=2, config=replace(CUED, boundary_band=0.0))
    encoding = predictor.encode_frame(rgb)
    clicks = [(40.5, 30.5)], [(5.5, 5.5)]
    best = predictor.predict_encoded(encoding, *clicks)
    every = predictor.predict_encoded(encoding, *clicks, refine=None)
    unbanded = plain.predict_encoded(plain.encode_frame(rgb), *clicks)
    assert np.array_equal(best.masks[0], every.masks[0])
    assert np.array_equal(best.masks[1:], unbanded.masks[1:])
    assert not np.array_equal(every.masks, best.masks)
    with pytest.raises(Exception, match="refine asks for hypotheses"):
        predictor.predict_encoded(encoding, *clicks, refine=(7,))


@pytest.mark.parametrize("focus_crop", [True, False])
def test_a_later_click_changes_only_its_own_region_when_connected(focus_crop):
    """With click_changes="connected" a later positive click grows one region, the one it lands in,
    and shrinks nothing; the network's own answer ("any") moves the mask elsewhere too."""
    rgb = object_frame()
    clicks = [(40.5, 30.5)], [(5.5, 5.5)]
    later = [*clicks[0], (88.5, 65.5)], clicks[1]  # outside the object: seed 0's network shrinks it elsewhere
    flips = {}
    for mode in ("any", "connected"):
        predictor = Predictor.untrained(seed=0, config=replace(CUED, click_changes=mode), focus_crop=focus_crop)
        predictor.set_frame(rgb)
        before = predictor.predict(*clicks, refine=None).focus.run_masks > 0.5
        after = predictor.predict(*later, refine=None).focus.run_masks > 0.5
        flips[mode] = after & ~before, before & ~after
    grown, shrunk = flips["connected"]
    assert not shrunk.any()
    for hypothesis in grown:
        labels, _ = ndimage.label(hypothesis, structure=np.ones((3, 3)))
        assert set(np.unique(labels)) <= {0, labels[65, 88]}
    assert grown.any() and flips["any"][1].any()
