import numpy as np
import pytest

from hyperseg.model.config import ModelConfig
from hyperseg.model.context import (
    build_context,
    click_map,
    euclidean_distance_map,
    geodesic_distance_map,
    gradient_magnitude,
)


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
