import numpy as np
import pytest
import torch
from skimage.graph import MCP_Geometric

from hyperseg.model.config import CONTEXT_CHANNELS, ModelConfig
from hyperseg.model.cues.context import (
    GEODESIC_GRADIENT_WEIGHT,
    build_context,
    click_map,
    euclidean_distance_map,
    geodesic_distance_map,
    gradient_magnitude,
    walker_probability_map,
)
from hyperseg.model.cues.device_solvers import SETTLED


def test_distance_is_measured_from_pixel_centres_and_clipped():
    d = euclidean_distance_map([(0.5, 0.5)], 3, 400, unit=1.0, clip=255.0)
    assert d[0, 0] == 0.0
    assert d[0, 3] == pytest.approx(3.0)
    assert d[2, 0] == pytest.approx(2.0)
    assert d.max() == 255.0 and d[0, 300] == 255.0


def test_no_click_means_clip_everywhere():
    assert (euclidean_distance_map([], 4, 5, 1.0, 255.0) == 255.0).all()
    assert (geodesic_distance_map([], np.zeros((4, 5)), 1.0, 255.0) == 255.0).all()


def test_proxy_distances_stay_in_full_resolution_pixels():
    full = euclidean_distance_map([(10.5, 10.5)], 40, 40, unit=1.0, clip=255.0)
    half = euclidean_distance_map([(5.25, 5.25)], 20, 20, unit=2.0, clip=255.0)
    assert half[15, 15] == pytest.approx(full[30, 30], abs=1.5)


def test_geodesic_distance_grows_across_edges():
    rgb = np.zeros((20, 40, 3), np.float32)
    rgb[:, 20:] = 1.0  # a strong vertical edge
    g = geodesic_distance_map([(5.5, 10.5)], gradient_magnitude(rgb), 1.0, 255.0)
    e = euclidean_distance_map([(5.5, 10.5)], 20, 40, 1.0, 255.0)
    assert g[10, 15] == pytest.approx(e[10, 15], rel=0.1)  # same side: like Euclidean
    assert g[10, 25] > e[10, 25] + 5  # across the edge: much farther


@pytest.mark.parametrize("on_device", [False, True])
def test_geodesic_distance_solved_near_the_clicks_equals_the_whole_grid_solve(on_device):
    """The clip reaches 12.5 grid pixels (25 at unit 2): only a window around the clicks is solved, and the
    map equals MCP_Geometric on the whole grid, clipped."""
    rng = np.random.default_rng(4)
    rgb = rng.uniform(0.0, 1.0, (90, 120, 3)).astype(np.float32)
    rgb[:, 60:] = 0.3  # a flat part, where paths are cheapest and reach farthest
    gradient = gradient_magnitude(rgb)
    clicks = [(70.5, 40.5), (80.5, 45.5)]
    whole, _ = MCP_Geometric(1.0 + GEODESIC_GRADIENT_WEIGHT * gradient).find_costs([(40, 70), (45, 80)])
    expected = np.minimum(whole.astype(np.float32) * 2.0, 25.0)
    got = geodesic_distance_map(clicks, gradient, 2.0, 25.0, torch.device("cpu") if on_device else None)
    assert (expected < 25.0).sum() > 300 and (expected == 25.0).any()  # inside the reach and beyond it
    np.testing.assert_allclose(got, expected, rtol=SETTLED if on_device else 1e-6)  # the sweeps stop at SETTLED


def test_click_map_marks_the_clicked_pixel():
    m = click_map([(2.5, 1.5)], 5, 6, radius=0.0)
    assert m.sum() == 1 and m[1, 2] == 1


@pytest.mark.parametrize("config", [ModelConfig.paper(), ModelConfig.default()])
def test_context_channels_in_order(config):
    rgb = np.random.default_rng(0).random((12, 16, 3)).astype(np.float32)
    ctx = build_context(config, rgb, rgb * 0.5, [(3.5, 4.5)], [(10.5, 8.5)])
    assert ctx.shape == (config.context_channels, 12, 16)
    assert np.allclose(ctx[0:3], (rgb * 0.5).transpose(2, 0, 1))  # X_{t-1} first
    assert np.allclose(ctx[3:6], rgb.transpose(2, 0, 1))
    assert ctx[6, 4, 3] == 1 and ctx[7, 8, 10] == 1  # B_p, B_n
    assert ctx[8:].min() >= 0 and ctx[8:10].max() <= 1.0  # distances scaled by the clip


def two_regions(height: int = 30, width: int = 40) -> np.ndarray:
    rgb = np.full((height, width, 3), 0.1, np.float32)
    rgb[5:25, 8:22] = 0.9  # a bright object on a dark ground
    return rgb


def test_walker_cue_follows_the_object_edge_and_every_click():
    rgb = two_regions()
    one = walker_probability_map(rgb, [(14.5, 14.5)], [], max_pixels=10_000)
    assert one.shape == (30, 40)
    assert one[15, 12] > 0.9 and one[15, 32] < 0.1  # the border seeds the ground
    corrected = walker_probability_map(rgb, [(14.5, 14.5)], [(10.5, 8.5)], max_pixels=10_000)
    assert corrected[8, 10] < 0.5 < one[8, 10]  # a negative click inside the object wins locally
    assert (walker_probability_map(rgb, [], [(30.5, 15.5)], 10_000) == 0).all()  # no positive: nothing


def test_walker_cue_solves_large_frames_at_its_pixel_budget():
    rgb = two_regions(120, 160)
    rgb[20:100, 32:88] = 0.9
    small = walker_probability_map(rgb, [(60.5, 60.5)], [], max_pixels=1_200)
    assert small.shape == (120, 160)
    assert small[60, 50] > 0.9 and small[60, 140] < 0.1


def test_context_uses_a_precomputed_walker_map():
    config = ModelConfig.default()
    rgb = two_regions()
    given = np.full((30, 40), 0.25, np.float32)
    ctx = build_context(config, rgb, rgb, [(14.5, 14.5)], [], walker=given)
    index = config.context_names.index("walker_probability")
    offset = sum(CONTEXT_CHANNELS[name] for name in config.context_names[:index])
    assert np.all(ctx[offset] == 0.25)
    computed = build_context(config, rgb, rgb, [(14.5, 14.5)], [])
    assert computed[offset, 15, 12] > 0.9 and computed[offset, 15, 32] < 0.1


def test_colour_cue_is_the_last_channel_when_configured():
    config = ModelConfig(extra_context=("colour_probability",))
    rgb = two_regions()
    ctx = build_context(config, rgb, rgb, [(15.5, 15.5)], [(2.5, 2.5)])
    assert ctx.shape == (11, 30, 40)
    assert ctx[10, 5:25, 8:22].min() > 0.9 and ctx[10, :4].max() < 0.1
