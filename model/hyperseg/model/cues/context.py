"""Context channels: what the clicks and frames tell every layer of the CAN.

The paper's ten channels are X_{t-1} and X_t (RGB in [0, 1]), binary click maps B_p and B_n, and
Euclidean distance maps D_p and D_n. Extra cues (``ModelConfig.extra_context``) follow them.

Units: click coordinates are full-resolution frame pixels (origin at the top-left, y down, pixel
centres at +0.5). When the network runs at a proxy scale p, distances are measured on the proxy
grid and divided by p, so they stay in full-resolution pixels; the clip (255 px) is therefore the
same physical distance at every scale. Distances enter the network divided by the clip, in [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from skimage.graph import MCP_Geometric

from hyperseg.model.config import CONTEXT_CHANNELS, ModelConfig
from hyperseg.model.cues.classical import BaselineConfig, FrameWalker, random_walker_segment
from hyperseg.model.cues.click_disks import click_map
from hyperseg.model.cues.colour_model import colour_probability_map
from hyperseg.model.cues.device_solvers import geodesic_distances
from hyperseg.protocol.clicks import Point

#: How strongly image gradients lengthen geodesic paths (cost per pixel = 1 + weight * |grad I|).
GEODESIC_GRADIENT_WEIGHT = 10.0


def euclidean_distance_map(points: Sequence[Point], height: int, width: int, unit: float, clip: float) -> np.ndarray:
    """Distance from each pixel centre to the nearest click, times ``unit``, clipped; ``clip`` if none."""
    out = np.full((height, width), clip, np.float32)
    ys = (np.arange(height, dtype=np.float32) + 0.5)[:, None]
    xs = (np.arange(width, dtype=np.float32) + 0.5)[None, :]
    for x, y in points:
        np.minimum(out, np.sqrt((xs - x) ** 2 + (ys - y) ** 2) * unit, out=out)
    return np.minimum(out, clip)


def gradient_magnitude(rgb: np.ndarray) -> np.ndarray:
    """Per-pixel colour gradient magnitude of an (H, W, 3) image in [0, 1]."""
    gy, gx = np.gradient(rgb.astype(np.float32), axis=(0, 1))
    return np.sqrt((gx**2 + gy**2).sum(axis=2))


def geodesic_distance_map(points: Sequence[Point], gradient: np.ndarray, unit: float, clip: float,
                          device: torch.device | None = None) -> np.ndarray:
    """Geodesic distance to the nearest click over image gradients (DeepIGeoS), times ``unit``, clipped.

    ``device`` (a torch device) computes it there (``device_solvers.geodesic_distances``); None: scikit-image.

    Only the window within ``clip / unit`` pixels (Chebyshev) of the clicks is solved: every step
    of a path costs at least 1, so a pixel farther than that from every click is at least the clip
    away, and so is every path that leaves the window; the rest of the map is the clip, exactly
    what solving the whole grid gives.
    """
    height, width = gradient.shape
    out = np.full((height, width), clip, np.float32)
    starts = [(int(np.clip(np.floor(y), 0, height - 1)), int(np.clip(np.floor(x), 0, width - 1)))
              for x, y in points]
    if not starts:
        return out
    reach = math.ceil(clip / unit) + 1
    rows, cols = [r for r, _ in starts], [c for _, c in starts]
    top, left = max(min(rows) - reach, 0), max(min(cols) - reach, 0)
    window = (slice(top, min(max(rows) + reach + 1, height)), slice(left, min(max(cols) + reach + 1, width)))
    costs = 1.0 + GEODESIC_GRADIENT_WEIGHT * gradient[window]
    starts = [(r - top, c - left) for r, c in starts]
    if device is not None:
        cumulative = geodesic_distances(torch.from_numpy(np.ascontiguousarray(costs)).to(device), starts)
        out[window] = torch.clamp(cumulative * unit, max=clip).float().cpu().numpy()
    else:
        cumulative, _ = MCP_Geometric(costs).find_costs(starts)
        out[window] = np.minimum(cumulative.astype(np.float32) * unit, clip)
    return out


def frame_walker_cue(rgb: np.ndarray, max_pixels: int, device: torch.device | None = None) -> FrameWalker:
    """``walker_probability_map`` of one frame for click after click: ``FrameWalker.probability``
    gives the same map, the walker factored once per frame instead of once per call."""
    return FrameWalker(rgb, config=BaselineConfig(max_walker_pixels=max_pixels), device=device)


def walker_probability_map(rgb: np.ndarray, positive: Sequence[Point], negative: Sequence[Point],
                           max_pixels: int, device: torch.device | None = None) -> np.ndarray:
    """Random-walker foreground probability (H, W) from the clicks, the frame border seeded as background.

    The same solver as the random-walker baseline, on at most ``max_pixels`` pixels; zeros
    until there is a positive click. ``device``: where the walker is solved (``solve_walker``).
    """
    return random_walker_segment(rgb, positive, negative, config=BaselineConfig(max_walker_pixels=max_pixels),
                                 device=device)


def context_slice(config: ModelConfig, name: str) -> slice:
    """Where the channels of cue ``name`` lie in ``build_context``'s output."""
    start = 0
    for each in config.context_names:
        if each == name:
            return slice(start, start + CONTEXT_CHANNELS[name])
        start += CONTEXT_CHANNELS[each]
    raise KeyError(f"{name} is not a context cue of config {config.name}")


def build_context(config: ModelConfig, rgb: np.ndarray, previous_rgb: np.ndarray, positive: Sequence[Point],
                  negative: Sequence[Point], scale: float = 1.0, previous_mask: np.ndarray | None = None,
                  gradient: np.ndarray | None = None, walker: np.ndarray | None = None,
                  geodesic: np.ndarray | None = None, device: torch.device | None = None,
                  colour: np.ndarray | None = None) -> np.ndarray:
    """All context channels, (C_ctx, H, W) float32, in ``config.context_names`` order.

    ``rgb``/``previous_rgb`` are at the grid the network runs on and the clicks are already in
    that grid's pixels; ``scale`` is that grid's pixels per pixel of the frame click distances are
    measured in (``ModelConfig.cue_scale``). ``gradient``
    and ``walker`` are precomputed cues (training passes a crop of a whole-frame walker map); so is
    ``colour`` (the focus crop passes its window of the whole frame's colour model).
    ``device``: where the geodesic and walker solvers run (None: SciPy/scikit-image on the host).
    """
    height, width = rgb.shape[:2]
    unit, clip = 1.0 / scale, config.distance_clip
    radius = config.click_radius * scale
    channels: dict[str, np.ndarray] = {
        "previous_rgb": previous_rgb.transpose(2, 0, 1),
        "rgb": rgb.transpose(2, 0, 1),
        "positive_clicks": click_map(positive, height, width, radius)[None],
        "negative_clicks": click_map(negative, height, width, radius)[None],
        "positive_distance": euclidean_distance_map(positive, height, width, unit, clip)[None] / clip,
        "negative_distance": euclidean_distance_map(negative, height, width, unit, clip)[None] / clip,
    }
    if "geodesic_distance" in config.extra_context and geodesic is not None:
        channels["geodesic_distance"] = geodesic / clip
    elif "geodesic_distance" in config.extra_context:
        grad = gradient_magnitude(rgb) if gradient is None else gradient
        channels["geodesic_distance"] = np.stack([
            geodesic_distance_map(positive, grad, unit, clip, device),
            geodesic_distance_map(negative, grad, unit, clip, device),
        ]) / clip
    if "previous_mask" in config.extra_context:
        mask = np.zeros((height, width), np.float32) if previous_mask is None else previous_mask
        channels["previous_mask"] = mask.astype(np.float32)[None]
    if "walker_probability" in config.extra_context:
        if walker is None:
            walker = walker_probability_map(rgb, positive, negative, config.walker_max_pixels, device)
        channels["walker_probability"] = walker.astype(np.float32)[None]
    if "colour_probability" in config.extra_context:
        if colour is None:
            colour = colour_probability_map(rgb, positive, negative)
        channels["colour_probability"] = colour[None]
    return np.concatenate([channels[name] for name in config.context_names]).astype(np.float32)
