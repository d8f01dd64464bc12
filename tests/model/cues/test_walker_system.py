"""The walker factored once per frame gives scikit-image's random walker, click after click."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch
from skimage.segmentation import random_walker

from hyperseg.model import Predictor
from hyperseg.model.config import ModelConfig
from hyperseg.model.cues.classical import WALKER_BETA, FrameWalker
from hyperseg.model.cues.context import frame_walker_cue, walker_probability_map
from hyperseg.model.cues.walker_system import WalkerSystem

CPU = torch.device("cpu")
#: The capacitance update against scikit-image's own direct solve (which weighs edges in the
#: image's float32): measured up to 2e-7 on a DAVIS frame's cue grid.
TOLERANCE = 1e-6


def _scene(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A disc and a bar in other colours on a noisy background: strong edges, where beta bites."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[:height, :width]
    rgb = np.empty((height, width, 3), np.float32)
    rgb[...] = (0.2, 0.3, 0.25)
    rgb[(rows - height * 0.45) ** 2 + (cols - width * 0.6) ** 2 < (0.3 * min(height, width)) ** 2] = (0.8, 0.55, 0.3)
    rgb[(cols > width * 0.15) & (cols < width * 0.25)] = (0.1, 0.1, 0.7)
    rgb += rng.normal(0.0, 0.02, rgb.shape).astype(np.float32)
    return np.clip(rgb, 0.0, 1.0)


def _expected(rgb: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    return random_walker(rgb, seeds, beta=WALKER_BETA, mode="bf", return_full_prob=True, channel_axis=-1)[0]


@pytest.mark.parametrize("device", [None, CPU], ids=["superlu", "device-solver"])
def test_one_factor_answers_growing_seed_maps_as_scikit_image_does(device):
    rgb = _scene(40, 56)
    seeds = np.full((40, 56), 2, np.int32)
    seeds[2:-2, 2:-2] = 0
    seeds[17:20, 32:35] = 1  # a positive click on the disc: the factored map
    system = WalkerSystem(rgb, seeds, WALKER_BETA, device)
    np.testing.assert_allclose(system.solve(seeds), _expected(rgb, seeds), rtol=0, atol=TOLERANCE)
    # A negative click on the bar, one more of each: each map keeps the last one's seeds.
    for rows, cols, label in ((slice(20, 23), slice(10, 12), 2), (slice(8, 10), slice(30, 33), 1),
                              (slice(30, 33), slice(44, 47), 2)):
        seeds[rows, cols] = label
        expected = _expected(rgb, seeds)
        assert 0.05 < expected[seeds == 0].mean() < 0.95  # neither side floods: the solve decides something
        np.testing.assert_allclose(system.solve(seeds), expected, rtol=0, atol=TOLERANCE)
    # A map that drops a click added after the factored one is answered from the same factor too.
    seeds[8:10, 30:33] = 0
    np.testing.assert_allclose(system.solve(seeds), _expected(rgb, seeds), rtol=0, atol=TOLERANCE)


def test_a_seed_map_that_frees_a_factored_seed_is_refused():
    seeds = np.zeros((20, 30), np.int32)
    seeds[0] = 2
    seeds[10, 10] = 1
    system = WalkerSystem(_scene(20, 30), seeds, WALKER_BETA)
    freed = seeds.copy()
    freed[0, 0] = 0
    relabelled = seeds.copy()
    relabelled[0, 5] = 1
    assert system.fits(seeds) and not system.fits(freed) and not system.fits(relabelled)
    with pytest.raises(ValueError, match="frees or relabels"):
        system.solve(freed)


def test_frame_walker_equals_the_walker_cue_click_after_click():
    """The cue's clicks, one more per call; one positive click lands near the border and frees part of it."""
    rgb = _scene(90, 120, seed=2)
    walker = frame_walker_cue(rgb, max_pixels=4_000)
    positive, negative = [(72.5, 40.5)], []
    systems = []
    for click, is_positive in (((20.5, 45.5), False), ((80.5, 30.5), True), ((60.5, 60.5), False),
                               ((117.5, 45.5), True), ((100.5, 20.5), True)):
        (positive if is_positive else negative).append(click)
        got = walker.probability(positive, negative)
        np.testing.assert_allclose(got, walker_probability_map(rgb, positive, negative, 4_000), rtol=0, atol=TOLERANCE)
        systems.append(walker.system)
    assert systems[0] is systems[1] is systems[2]  # factored once while the border stays seeded
    assert systems[3] is not systems[2]  # the click at x=117.5 frees border pixels: refactored


def test_frame_walker_without_a_positive_click_is_zero_and_a_flat_frame_is_solved():
    flat = np.full((30, 40, 3), 0.5, np.float32)
    walker = FrameWalker(flat)
    assert (walker.probability([], [(5.5, 5.5)]) == 0).all()
    got = walker.probability([(20.5, 15.5)], [])
    np.testing.assert_allclose(got, walker_probability_map(flat, [(20.5, 15.5)], [], 120_000), rtol=0,
                               atol=TOLERANCE)


class _WalkerPerClick:
    """What the focus crop ran before the walker was kept: ``walker_probability_map`` solved afresh per click."""

    def __init__(self, rgb: np.ndarray, max_pixels: int) -> None:
        self.rgb, self.max_pixels = rgb, max_pixels

    def probability(self, positive, negative) -> np.ndarray:
        return walker_probability_map(self.rgb, positive, negative, self.max_pixels)


def test_predictor_masks_with_the_kept_walker_equal_a_fresh_solve_per_click():
    """Each click from the same previous prediction, once with the kept walker and once with the walker
    solved afresh (the first click: focus crop off, which solves it afresh): the same masks."""
    config = replace(ModelConfig.tiny(), extra_context=("walker_probability",), enforce_clicks=True,
                     walker_max_pixels=2_000)
    rgb = _scene(48, 64, seed=3)
    predictor = Predictor.untrained(seed=5, config=config)
    encoding = predictor.encode_frame(rgb)
    first = predictor.predict_encoded(encoding, [(38.5, 22.5)], [(4.5, 4.5)])
    fresh = Predictor(predictor.model, "same weights", focus_crop=False).predict_encoded(
        encoding, [(38.5, 22.5)], [(4.5, 4.5)])
    np.testing.assert_allclose(first.masks, fresh.masks, rtol=0, atol=1e-5)
    kept_walker, previous = first.focus.walker, first
    # A positive click on the bar (the walker's answer there changes from background to foreground: a
    # walker one click behind moves the masks by 0.59), then a negative one on the disc.
    for positive, negative in (([(38.5, 22.5), (12.5, 20.5)], [(4.5, 4.5)]),
                               ([(38.5, 22.5), (12.5, 20.5)], [(4.5, 4.5), (44.5, 30.5)])):
        kept = predictor.predict_encoded(encoding, positive, negative, previous=previous)
        per_click = replace(previous.focus, walker=_WalkerPerClick(encoding.rgb, config.walker_max_pixels))
        direct = predictor.predict_encoded(encoding, positive, negative, previous=replace(previous, focus=per_click))
        assert kept.window is not None and kept.window == direct.window  # the focus crop ran, on the same window
        assert kept.focus.walker is kept_walker  # one walker, and its factor, for the frame
        np.testing.assert_allclose(kept.masks, direct.masks, rtol=0, atol=1e-5)
        previous = kept
    assert kept_walker.system is not None
