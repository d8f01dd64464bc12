"""Classical click-driven segmenters: GrabCut and random walker.

Both take ``(rgb, positive, negative, previous)`` and return an (H, W) float32 foreground
probability. The network's cues use them (``solve_walker``, ``click_disks``); evaluation runs them
as baselines (``hyperseg.model.evaluation.baselines``). Clicks are (x, y) pixels, pixel centres
at +0.5, and become small disk seeds.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import torch
from skimage.segmentation import random_walker

from hyperseg.model.cues.device_solvers import walker_probability
from hyperseg.model.cues.walker_system import WalkerSystem
from hyperseg.protocol.clicks import Point, check_clicks
from hyperseg.protocol.errors import InputError

WALKER_BETA = 4000.0
"""Random walker edge weight (scikit-image's default is 130), chosen on DAVIS breakdance and bmx-trees."""

_GMM_COMPONENTS = 5
"""OpenCV's GrabCut fits 5-component GMMs and needs at least that many pixels per side."""


@dataclass(frozen=True)
class BaselineConfig:
    """Seed geometry shared by the baselines; fractions are of the image diagonal."""

    click_radius_fraction: float = 0.005
    """Click disk radius: 5 px at 854x480, 11 px at 1920x1080."""
    min_click_radius: int = 2
    prior_radius_fraction: float = 0.1
    """GrabCut: pixels this close to a positive click start as probable foreground."""
    border_width: int = 3
    """Frame border seeded as background, except within the prior radius of a positive click."""
    max_walker_pixels: int = 120_000
    """Random walker runs on at most this many pixels, then upsamples bilinearly."""

    def prior_radius(self, shape: tuple[int, int]) -> int:
        return max(1, round(self.prior_radius_fraction * math.hypot(*shape)))

    def click_radius(self, shape: tuple[int, int]) -> int:
        return self.click_radius_at(math.hypot(*shape))

    def click_radius_at(self, diagonal: float) -> int:
        """Click disk radius on a grid whose frame has this diagonal (a crop takes its frame's)."""
        return max(self.min_click_radius, round(self.click_radius_fraction * diagonal))


DEFAULT_CONFIG = BaselineConfig()


def _check_rgb(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.shape[0] == 0 or rgb.shape[1] == 0:
        raise InputError(f"image must be an (H, W, 3) RGB array, got shape {rgb.shape}")
    if not np.isfinite(rgb).all():
        raise InputError("image contains NaN or infinite pixels")
    return np.clip(rgb.astype(np.float32), 0.0, 1.0)


def _pixels(points: Sequence[Point], shape: tuple[int, int], name: str) -> list[tuple[int, int]]:
    """(row, col) of each click, or InputError for a click outside the frame."""
    return [(int(y), int(x)) for x, y in check_clicks(points, name, shape[::-1])]


def _disks(shape: tuple[int, int], pixels: Sequence[tuple[int, int]], radius: int) -> np.ndarray:
    canvas = np.zeros(shape, dtype=np.uint8)
    for row, col in pixels:
        cv2.circle(canvas, (col, row), radius, 1, thickness=-1)
    return canvas.astype(bool)


def click_disks(shape: tuple[int, int], points: Sequence[Point], radius: int) -> np.ndarray:
    """(H, W) bool: disks of ``radius`` pixels around (x, y) clicks inside a frame of ``shape``."""
    return _disks(shape, [(int(y), int(x)) for x, y in points], radius)


def frame_border(shape: tuple[int, int], width: int) -> np.ndarray:
    """(H, W) bool: the ``width`` pixels along the frame's edges."""
    border = np.ones(shape, dtype=bool)
    border[width:-width, width:-width] = False
    return border


def _background_border(shape: tuple[int, int], pos: Sequence[tuple[int, int]], config: BaselineConfig) -> np.ndarray:
    """The frame border, less the parts within the prior radius of a positive click."""
    return frame_border(shape, config.border_width) & ~_disks(shape, pos, config.prior_radius(shape))


def _previous_mask(previous: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A bool mask, or a probability map thresholded at 0.5."""
    previous = np.asarray(previous)
    if previous.shape != shape:
        raise InputError(f"previous mask shape {previous.shape} differs from the image's {shape}")
    return previous if previous.dtype == bool else previous > 0.5


def grabcut_segment(
    rgb: np.ndarray,
    positive: Sequence[Point],
    negative: Sequence[Point],
    previous: np.ndarray | None = None,
    iterations: int = 5,
    config: BaselineConfig = DEFAULT_CONFIG,
) -> np.ndarray:
    """OpenCV GrabCut in mask mode; returns 1.0 on (probable) foreground, 0.0 elsewhere.

    Click disks are hard foreground/background. Without a previous mask, pixels within
    ``prior_radius_fraction`` of the diagonal from a positive click start as probable foreground,
    the rest as probable background. With one, it sets the probable labels, and the prior disks
    only widen it around positive clicks outside it and shrink it around negative clicks inside.
    The frame border is hard background (except near positive clicks), so the background GMM
    always has data and a leak cannot swallow the frame.
    """
    image = _check_rgb(rgb)
    shape = image.shape[:2]
    pos, neg = _pixels(positive, shape, "positive"), _pixels(negative, shape, "negative")
    prior_radius = config.prior_radius(shape)
    labels = np.full(shape, cv2.GC_PR_BGD, dtype=np.uint8)
    if previous is None:
        labels[_disks(shape, pos, prior_radius)] = cv2.GC_PR_FGD
    else:
        labels[_previous_mask(previous, shape)] = cv2.GC_PR_FGD
    labels[_background_border(shape, pos, config) & (labels == cv2.GC_PR_BGD)] = cv2.GC_BGD
    radius = config.click_radius(shape)
    labels[_disks(shape, neg, radius)] = cv2.GC_BGD
    labels[_disks(shape, pos, radius)] = cv2.GC_FGD
    return grabcut_labels(image, labels, iterations).astype(np.float32)


def grabcut_labels(image: np.ndarray, labels: np.ndarray, iterations: int) -> np.ndarray:
    """(H, W) bool foreground of OpenCV's GrabCut on ``image`` ((H, W, 3) in [0, 1]) from ``labels``
    (uint8 ``cv2.GC_*`` per pixel, updated in place); the labels' own foreground where one side has
    too few pixels for its colour mixture."""
    foreground = (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)
    if min(np.count_nonzero(foreground), np.count_nonzero(~foreground)) < _GMM_COMPONENTS:
        return foreground
    image_u8 = np.round(image * 255.0).astype(np.uint8)
    background_model = np.zeros((1, 65), dtype=np.float64)
    foreground_model = np.zeros((1, 65), dtype=np.float64)
    cv2.setRNGSeed(0)  # GrabCut's k-means initialisation draws from OpenCV's RNG: same input, same output
    cv2.grabCut(image_u8, labels, None, background_model, foreground_model, iterations, cv2.GC_INIT_WITH_MASK)
    return (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)


def walker_input(rgb: np.ndarray, frame_std: float | None = None) -> np.ndarray:
    """The image scikit-image's random walker is given for ``rgb``: its edge weights divide ``beta`` by
    the image's standard deviation, so a crop of a larger frame is rescaled to that frame's
    ``frame_std``, and a flat image gets a seeded noise far below any real edge (1e-6), which makes
    every edge weight equal, as a flat frame's should be (scikit-image would divide by its zero std)."""
    if float(rgb.std()) < 1e-6:
        return rgb + 1e-6 * np.random.default_rng(0).standard_normal(rgb.shape).astype(np.float32)
    if frame_std is not None and frame_std >= 1e-6:
        return rgb * (float(rgb.std()) / frame_std)
    return rgb


def solve_walker(rgb: np.ndarray, seeds: np.ndarray, beta: float = WALKER_BETA,
                 frame_std: float | None = None, device: torch.device | None = None) -> np.ndarray:
    """(H, W) float32 probability of label 1 from scikit-image's random walker; seeds 1, 2 or 0 (unknown).

    Solved directly (mode "bf", sparse LU): at these sizes that is faster than "cg_j", whose
    iterations stall on large ``beta``. Seeds that cover the frame are the answer; ``rgb`` is
    rescaled to ``frame_std`` and a flat frame made solvable by ``walker_input``.

    ``device`` (a torch device) solves the same system there (``device_solvers.walker_probability``).
    """
    if seeds.all():
        return (seeds == 1).astype(np.float32)
    rgb = walker_input(rgb, frame_std)
    if device is not None:
        return walker_probability(torch.from_numpy(np.ascontiguousarray(rgb)).to(device),
                                  torch.from_numpy(np.ascontiguousarray(seeds)).to(device), beta).float().cpu().numpy()
    return random_walker(rgb, seeds, beta=beta, mode="bf", return_full_prob=True, channel_axis=-1)[0].astype(np.float32)


class WalkerGrid:
    """Where ``random_walker_segment`` solves a frame: the frame at most ``max_walker_pixels`` pixels
    (854x480 runs at about 0.54x), its click seeds there, and the way back to the frame's size."""

    def __init__(self, rgb: np.ndarray, config: BaselineConfig = DEFAULT_CONFIG) -> None:
        self.image = _check_rgb(rgb)
        height, width = self.shape = self.image.shape[:2]
        self.config = config
        scale = min(1.0, math.sqrt(config.max_walker_pixels / (height * width)))
        self.small_shape = (max(1, round(height * scale)), max(1, round(width * scale)))
        self.small = (self.image if scale == 1.0
                      else cv2.resize(self.image, self.small_shape[::-1], interpolation=cv2.INTER_AREA))

    def clicks(self, positive: Sequence[Point],
               negative: Sequence[Point]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(row, col) pixels of the positive and negative clicks on the frame; InputError for one outside it."""
        return _pixels(positive, self.shape, "positive"), _pixels(negative, self.shape, "negative")

    def seeds(self, pos: Sequence[tuple[int, int]], neg: Sequence[tuple[int, int]]) -> np.ndarray:
        """The seed map on the small grid (1 foreground, 2 background, 0 unknown) for clicks at frame pixels:
        click disks, and the frame border as background except near positive clicks."""
        row_scale, col_scale = self.small_shape[0] / self.shape[0], self.small_shape[1] / self.shape[1]

        def to_small(pixels: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
            return [(int((r + 0.5) * row_scale), int((c + 0.5) * col_scale)) for r, c in pixels]

        small_pos, small_neg = to_small(pos), to_small(neg)
        seeds = np.zeros(self.small_shape, dtype=np.int32)
        seeds[_background_border(self.small_shape, small_pos, self.config)] = 2
        radius = self.config.click_radius(self.small_shape)
        seeds[_disks(self.small_shape, small_neg, radius)] = 2
        seeds[_disks(self.small_shape, small_pos, radius)] = 1
        return seeds

    def to_frame(self, probability: np.ndarray) -> np.ndarray:
        """A small-grid probability at the frame's size (bilinear), clipped to [0, 1]."""
        if self.small_shape != self.shape:
            probability = cv2.resize(probability, self.shape[::-1], interpolation=cv2.INTER_LINEAR)
        return np.clip(probability, 0.0, 1.0)


def random_walker_segment(
    rgb: np.ndarray,
    positive: Sequence[Point],
    negative: Sequence[Point],
    previous: np.ndarray | None = None,
    beta: float = WALKER_BETA,
    config: BaselineConfig = DEFAULT_CONFIG,
    device: torch.device | None = None,
) -> np.ndarray:
    """Foreground probability of scikit-image's random walker (Grady 2006).

    Click disks are seeds, and so is the frame border as background (except near positive
    clicks). Frames above ``max_walker_pixels`` are solved at a reduced scale and the
    probabilities upsampled bilinearly (``WalkerGrid``). ``previous`` is accepted for the common
    signature and ignored: the walker has no prior term, and every click so far is a seed anyway.
    ``device``: where the walker is solved (``solve_walker``). ``FrameWalker`` gives the same
    probabilities for click after click on one frame, factoring its system once.
    """
    grid = WalkerGrid(rgb, config)
    pos, neg = grid.clicks(positive, negative)
    if previous is not None:
        _previous_mask(previous, grid.shape)
    if not pos:
        return np.zeros(grid.shape, dtype=np.float32)
    return grid.to_frame(solve_walker(grid.small, grid.seeds(pos, neg), beta, device=device))


class FrameWalker:
    """``random_walker_segment`` for the clicks on one frame, one call per click: the first call's
    walker is solved directly and its factor kept (``hyperseg.model.cues.walker_system``); a later
    call whose seeds keep the first one's is a capacitance update of it, the same probabilities to
    rounding. A positive click that frees border pixels (one near the border) refactors, as the
    direct solve would. ``device`` (a torch device): the factor is the device solver's, there."""

    def __init__(self, rgb: np.ndarray, beta: float = WALKER_BETA, config: BaselineConfig = DEFAULT_CONFIG,
                 device: torch.device | None = None) -> None:
        self.grid = WalkerGrid(rgb, config)
        self.beta = beta
        self.device = device
        self.system: WalkerSystem | None = None

    def probability(self, positive: Sequence[Point], negative: Sequence[Point]) -> np.ndarray:
        """(H, W) float32 foreground probability, as ``random_walker_segment`` gives it for these clicks."""
        pos, neg = self.grid.clicks(positive, negative)
        if not pos:
            return np.zeros(self.grid.shape, dtype=np.float32)
        seeds = self.grid.seeds(pos, neg)
        if seeds.all():
            return self.grid.to_frame(solve_walker(self.grid.small, seeds, self.beta))
        if self.system is None or not self.system.fits(seeds):
            self.system = WalkerSystem(walker_input(self.grid.small), seeds, self.beta, self.device)
        return self.grid.to_frame(self.system.solve(seeds).astype(np.float32))
