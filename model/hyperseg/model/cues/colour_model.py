"""Colour models of the clicks: what makes GrabCut strong on objects a colour separates at once.

Foreground colours are sampled in disks around the positive clicks, background colours in disks
around the negative clicks and along the frame border (as GrabCut's rectangle does). Each side is a
smoothed colour histogram (``bins`` per channel, a non-parametric mixture); a pixel's foreground
probability is the posterior p_f / (p_f + p_b) with equal priors. Zeros until there is a positive
click. O(pixels), no iteration: cheap enough to rebuild on every click.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hyperseg.model.cues.click_disks import click_map
from hyperseg.protocol.clicks import Point


@dataclass(frozen=True)
class ColourModelConfig:
    #: Histogram bins per RGB channel.
    bins: int = 16
    #: Radius of the disk sampled around each click, as a fraction of the frame diagonal.
    sample_radius_fraction: float = 0.03
    #: Width of the frame border sampled as background, pixels of the grid the cue is built on.
    border: int = 3
    #: Density floor added to both sides, as a fraction of a uniform bin's density: colours neither
    #: side has seen come out undecided (0.5), rare ones lean only as far as the evidence goes.
    smoothing: float = 0.05


def colour_probability_map(rgb: np.ndarray, positive: Sequence[Point], negative: Sequence[Point],
                           config: ColourModelConfig = ColourModelConfig()) -> np.ndarray:
    """(H, W) float32 foreground probability from colour models of the clicks (see the module docstring)."""
    height, width = shape = rgb.shape[:2]
    if not positive:
        return np.zeros(shape, np.float32)
    radius = max(1.0, config.sample_radius_fraction * math.hypot(height, width))
    foreground = click_map(positive, height, width, radius).astype(bool)
    background = click_map(negative, height, width, radius).astype(bool)
    border = min(config.border, height // 2, width // 2)
    if border > 0:
        edge = np.ones(shape, bool)
        edge[border:-border, border:-border] = False
        background |= edge & ~click_map(positive, height, width, 2 * radius).astype(bool)
    return colour_posterior(rgb, foreground, background & ~foreground, config)


def colour_posterior(rgb: np.ndarray, foreground: np.ndarray, background: np.ndarray,
                     config: ColourModelConfig = ColourModelConfig()) -> np.ndarray:
    """(H, W) float32 posterior p_f / (p_f + p_b) of every pixel's colour, from smoothed histograms of
    the ``foreground`` and ``background`` (H, W) bool samples, with equal priors."""
    index = colour_bins(rgb, config.bins)
    floor = config.smoothing / config.bins**3
    fg = colour_histogram(index, foreground, config.bins) + floor
    bg = colour_histogram(index, background, config.bins) + floor
    posterior = fg / (fg + bg)
    return posterior[index].astype(np.float32)


def colour_bins(rgb: np.ndarray, bins: int) -> np.ndarray:
    """(H, W) index of each pixel's colour among ``bins``**3 bins (``bins`` per RGB channel); ``rgb`` in [0, 1]."""
    codes = np.clip((rgb * bins).astype(np.int32), 0, bins - 1)
    return (codes[..., 0] * bins + codes[..., 1]) * bins + codes[..., 2]


def colour_histogram(index: np.ndarray, sample: np.ndarray, bins: int) -> np.ndarray:
    """(``bins``**3,) share of the ``sample`` pixels ((H, W) bool) in each bin of ``index`` (``colour_bins``);
    zeros for an empty sample."""
    return np.bincount(index[sample], minlength=bins**3) / max(int(np.count_nonzero(sample)), 1)
