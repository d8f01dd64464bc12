import numpy as np
import pytest

from hyperseg.model.config import ModelConfig
from hyperseg.model.cues.boundary_band import band_window, contour_band, refine_boundaries
from hyperseg.model.cues.classical import solve_walker


def square_frame():
    """A bright 30x30 square on a dark, slightly noisy background, and its true mask."""
    rng = np.random.default_rng(0)
    rgb = np.clip(0.15 + 0.02 * rng.standard_normal((64, 80, 3)), 0, 1).astype(np.float32)
    rgb[17:47, 25:55] = 0.85
    truth = np.zeros((64, 80), bool)
    truth[17:47, 25:55] = True
    return rgb, truth


def iou(mask, truth):
    return (mask & truth).sum() / (mask | truth).sum()


def test_contour_band_is_the_pixels_near_the_edge():
    inside = np.zeros((20, 20), bool)
    inside[5:15, 5:15] = True
    band = contour_band(inside, 2.0)
    assert band[5, 10] and band[4, 10] and band[3, 10]  # edge row, one and two outside
    assert not band[10, 10] and not band[0, 10]  # deep inside, far outside


def test_an_offset_soft_contour_snaps_to_the_image_edge():
    rgb, truth = square_frame()
    hypotheses = np.zeros((2, 64, 80), np.float32)
    hypotheses[0, 20:50, 28:58] = 0.7  # the square found 3 px down and right, softly
    hypotheses[1] = 0.9  # all foreground: no contour to refine
    out = refine_boundaries(hypotheses, rgb, [(40.5, 30.5)], [(5.5, 5.5)], band=0.06)
    before, after = iou(hypotheses[0] > 0.5, truth), iou(out[0] > 0.5, truth)
    assert before < 0.85 and after > 0.97
    far = ~contour_band(hypotheses[0] > 0.5, 0.06 * np.hypot(64, 80))
    assert np.array_equal(out[0][far], hypotheses[0][far])  # away from the contour nothing changes
    assert np.array_equal(out[1], hypotheses[1])
    assert np.array_equal(hypotheses[0] > 0, np.pad(np.ones((30, 30), bool), ((20, 14), (28, 22))))  # input kept


def test_a_click_inside_the_band_keeps_its_side():
    rgb, _ = square_frame()
    hypotheses = np.zeros((1, 64, 80), np.float32)
    hypotheses[0, 17:47, 25:55] = 0.8
    out = refine_boundaries(hypotheses, rgb, [], [(26.5, 18.5)], band=0.06)  # a negative click on the corner
    assert out[0, 18, 26] < 0.5


def test_band_is_validated():
    with pytest.raises(ValueError, match="boundary_band"):
        ModelConfig(boundary_band=0.7)


def test_a_flat_frame_gives_finite_probabilities():
    hypotheses = np.zeros((1, 24, 32), np.float32)
    hypotheses[0, 5:15, 5:20] = 0.8
    out = refine_boundaries(hypotheses, np.full((24, 32, 3), 0.25, np.float32), [(10.5, 10.5)], [], band=0.05)
    assert np.isfinite(out).all()


def test_solving_on_the_band_window_equals_solving_on_the_frame():
    rgb, _ = square_frame()
    rgb[:, :12] = 0.6  # a band of another colour away from the object: the window's statistics differ
    hypothesis = np.zeros((64, 80), np.float32)
    hypothesis[20:50, 28:58] = 0.7
    unknown = contour_band(hypothesis > 0.5, 4.0)
    seeds = np.where(hypothesis > 0.5, 1, 2).astype(np.int32)
    seeds[unknown] = 0
    window = band_window(unknown)
    assert window[0].stop - window[0].start < 64 or window[1].stop - window[1].start < 80
    whole = solve_walker(rgb, seeds, beta=30.0)  # a soft walker, so edge weights show
    windowed = solve_walker(rgb[window], seeds[window], beta=30.0, frame_std=float(rgb.std()))
    assert np.allclose(windowed[unknown[window]], whole[unknown], atol=1e-5)
    unscaled = solve_walker(rgb[window], seeds[window], beta=30.0)
    assert not np.allclose(unscaled[unknown[window]], whole[unknown], atol=1e-5)
