"""The click path's torch solvers equal the SciPy / scikit-image ones they stand in for on CUDA (run on CPU here)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch
from skimage.graph import MCP_Geometric

from hyperseg.model import Predictor
from hyperseg.model.config import ModelConfig
from hyperseg.model.cues.classical import WALKER_BETA, solve_walker
from hyperseg.model.cues.context import GEODESIC_GRADIENT_WEIGHT, geodesic_distance_map, gradient_magnitude
from hyperseg.model.cues.device_solvers import geodesic_distances, walker_probability

CPU = torch.device("cpu")


def _scene(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A frame with what the solvers meet: a disc and a bar in other colours, soft edges, sensor noise."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[:height, :width]
    rgb = np.empty((height, width, 3), np.float32)
    rgb[...] = (0.2, 0.3, 0.25)
    disc = (rows - height * 0.45) ** 2 + (cols - width * 0.6) ** 2 < (0.3 * min(height, width)) ** 2
    rgb[disc] = (0.8, 0.55, 0.3)
    rgb[(cols > width * 0.15) & (cols < width * 0.25)] = (0.1, 0.1, 0.7)
    rgb += rng.normal(0.0, 0.02, rgb.shape).astype(np.float32)
    return np.clip(rgb, 0.0, 1.0)


def test_geodesic_distances_equal_scikit_image_minimum_cost_paths():
    rgb = _scene(41, 67)
    costs = 1.0 + GEODESIC_GRADIENT_WEIGHT * gradient_magnitude(rgb).astype(np.float64)
    starts = [(20, 40), (3, 5), (40, 66)]
    expected, _ = MCP_Geometric(costs).find_costs(starts)
    np.testing.assert_allclose(geodesic_distances(torch.from_numpy(costs), starts).numpy(), expected, rtol=1e-9)


def test_geodesic_cue_on_a_device_equals_the_host_one():
    gradient = gradient_magnitude(_scene(30, 50, seed=1))
    clicks = [(12.5, 20.5), (44.5, 3.5)]
    host = geodesic_distance_map(clicks, gradient, 10.0, 255.0)
    device = geodesic_distance_map(clicks, gradient, 10.0, 255.0, CPU)
    assert (host < 255.0).any() and (host == 255.0).any()  # the clip is met: it is part of what is compared
    np.testing.assert_allclose(device, host, rtol=1e-5, atol=1e-4)


def test_walker_probability_equals_scikit_image_random_walker():
    rgb = _scene(48, 36)  # taller than wide, and (below) wider than tall: both orientations of the row solve
    for frame in (rgb, rgb.transpose(1, 0, 2).copy()):
        seeds = np.zeros(frame.shape[:2], np.int32)
        seeds[:2], seeds[-2:], seeds[:, :2] = 2, 2, 2
        seeds[22:25, 20:23] = 1
        expected = solve_walker(frame, seeds, frame_std=0.2)
        assert 0.05 < expected[seeds == 0].mean() < 0.95  # neither side floods: the solve decides something
        np.testing.assert_allclose(solve_walker(frame, seeds, frame_std=0.2, device=CPU), expected, atol=1e-5)
    direct = walker_probability(torch.from_numpy(rgb), torch.from_numpy(seeds.T.copy()), WALKER_BETA)
    assert direct.dtype == torch.float32 and direct.shape == seeds.T.shape


def test_predictor_with_device_solvers_gives_the_host_masks():
    """The CUDA click path's solvers, run on CPU: first click and a focus-crop click, same masks."""
    config = replace(ModelConfig.tiny(), extra_context=("geodesic_distance", "walker_probability"),
                     enforce_clicks=True, boundary_band=0.05)
    rgb = _scene(48, 64, seed=3)
    masks = []
    for on_device in (False, True):
        predictor = Predictor.untrained(seed=5, config=config, device_solvers=on_device)
        predictor.set_frame(rgb)
        first = predictor.predict([(38.5, 22.5)], [(4.5, 4.5)])
        later = predictor.predict([(38.5, 22.5), (30.5, 30.5)], [(4.5, 4.5)])
        assert later.window is not None  # the second click ran the focus crop
        masks.append((first.masks, later.masks))
    for host, device in zip(*masks, strict=True):
        np.testing.assert_allclose(device, host, atol=1e-4)
