"""Turning a cached frame into one training example: a crop, its clicks and its context.

Two click modes, mixed per example (``ExampleConfig.iterative_probability``):

- ``simulated``: the paper's clicks, Xu et al.'s simulator (1-15 positives and negatives).
- ``iterative``: clicks that follow the evaluation clicker from the first click, as RITM trains.
  The first click goes to the deepest point of the object; each further click goes to the deepest
  point of the larger error of a plausible previous prediction (the ground truth eroded or dilated
  and with a blob added or cut), and that prediction is fed back as the ``previous_mask`` cue.

On top of either, ``own_error_clicks`` adds RITM's rounds: the trainer runs the network without
gradients and ``Example.add_error_click`` puts the next click on the network's own largest error.

Augmentation: photometric jitter (gain, gamma) varies the RGB context while the frozen features
stay as cached; a scale jitter resamples the frame, its mask and its cached feature maps (nearest,
as inference samples them up); a horizontal flip mirrors all of them. The walker_probability cue
is solved on the whole (jittered) frame and then cropped, as the predictor solves it on the whole
frame: a crop's edge is not the frame's border. A share of crops (``object_crop_probability``)
hold their whole object, rescaled to fit, as the first click on a whole frame sees it. Objects
pasted onto frames of another sequence (``composite_probability``) come from the trainer, which
runs the backbone on the composite.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from hyperseg.model.config import ModelConfig
from hyperseg.model.cues.context import build_context, click_map, walker_probability_map
from hyperseg.model.evaluation.clicker import PROBABILITY_THRESHOLD, EvalClicker
from hyperseg.model.frames import resize
from hyperseg.model.training.click_simulator import ClickSimulator, ClickSimulatorConfig
from hyperseg.model.training.feature_cache import CachedFrame
from hyperseg.protocol.clicks import Point


@dataclass(frozen=True)
class ExampleConfig:
    crop: int = 160
    iterative_probability: float = 0.5
    max_error_clicks: int = 6
    gain_range: tuple[float, float] = (0.8, 1.2)
    gamma_range: tuple[float, float] = (0.8, 1.25)
    #: Fraction of crops placed at random instead of around the object.
    random_crop_probability: float = 0.1
    #: The frame is resampled by a factor drawn from this range before cropping; (1, 1) = off.
    scale_range: tuple[float, float] = (1.0, 1.0)
    #: Probability of mirroring the frame left-right; 0 = off.
    flip_probability: float = 0.0
    #: Up to this many further clicks per step from the network's own errors (RITM); 0 = off.
    own_error_clicks: int = 0
    #: Probability that an example's frame is another sequence's object pasted onto it; 0 = off.
    composite_probability: float = 0.0
    #: Probability that a crop holds its whole object, as a first click on the whole frame sees it:
    #: the frame is rescaled (instead of ``scale_range``'s draw) so the object's box with a margin
    #: of ``object_margin_range`` of its size on each side fits the crop; 0 = off.
    object_crop_probability: float = 0.0
    object_margin_range: tuple[float, float] = (0.1, 0.4)


@dataclass
class Example:
    size: tuple[int, int]  # (h, w) of the (rescaled) frame the window lies in
    window: tuple[int, int, int, int]  # (y0, x0, y1, x1) in that frame, after any flip
    flipped: bool  # the frame was mirrored left-right
    frame_rgb: np.ndarray  # (h, w, 3) the whole jittered frame: the walker cue is solved on it
    previous_rgb: np.ndarray  # (h_c, w_c, 3) the crop of the previous frame
    positive: list[Point]  # clicks in crop pixels
    negative: list[Point]
    previous_mask: np.ndarray | None
    target: np.ndarray  # (h_c, w_c) float32
    scale: float  # grid pixels per pixel click distances are measured in (ModelConfig.cue_scale): radii scale with it
    context: np.ndarray = field(init=False)  # (C_ctx, h_c, w_c)
    positive_map: np.ndarray = field(init=False)  # (h_c, w_c) binary click maps of the loss' interactive term
    negative_map: np.ndarray = field(init=False)

    @property
    def feature_window(self) -> tuple[int, int, int, int]:
        """The window in the unflipped frame: where to sample the cached features (then mirror them)."""
        y0, x0, y1, x1 = self.window
        return (y0, self.size[1] - x1, y1, self.size[1] - x0) if self.flipped else self.window

    def encode(self, model_config: ModelConfig) -> Example:
        """(Re)build the context and click maps from the clicks; returns self."""
        y0, x0, y1, x1 = self.window
        walker = None
        if "walker_probability" in model_config.extra_context:
            walker = walker_probability_map(self.frame_rgb, [(x + x0, y + y0) for x, y in self.positive],
                                            [(x + x0, y + y0) for x, y in self.negative],
                                            model_config.walker_max_pixels)[y0:y1, x0:x1]
        self.context = build_context(model_config, self.frame_rgb[y0:y1, x0:x1], self.previous_rgb, self.positive,
                                     self.negative, self.scale, self.previous_mask, walker=walker)
        radius = model_config.click_radius * self.scale
        h, w = self.target.shape
        self.positive_map = click_map(self.positive, h, w, radius)
        self.negative_map = click_map(self.negative, h, w, radius)
        return self

    def add_error_click(self, probability: np.ndarray, model_config: ModelConfig) -> bool:
        """One more click where the evaluation clicker puts it against ``probability`` (h_c, w_c).

        RITM's iterative training: the prediction is the network's own, so training sees the
        errors it actually makes. Returns False (and changes nothing) when there is no error left.
        """
        clicked = np.ones(self.target.shape, bool)
        for x, y in self.positive + self.negative:
            clicked[int(y), int(x)] = False
        click = EvalClicker().next_click(self.target > 0.5, probability > PROBABILITY_THRESHOLD, clicked)
        if click is None:
            return False
        x, y, is_positive = click
        (self.positive if is_positive else self.negative).append((x, y))
        if "previous_mask" in model_config.extra_context:
            self.previous_mask = probability.astype(np.float32)
        self.encode(model_config)
        return True


@dataclass
class FrameView:
    """A cached frame as one example sees it: rescaled and possibly mirrored."""

    rgb: np.ndarray
    previous: np.ndarray
    mask: np.ndarray
    flipped: bool


def frame_view(frame: CachedFrame, config: ExampleConfig, rng: np.random.Generator,
               whole_object: bool = False) -> FrameView:
    """The frame after the scale and flip augmentations; each draws randomness only when it is on.

    With ``whole_object`` the scale is the one at which the object's box and a random margin fit the
    crop, but never so small that the frame's shorter side is below the crop.
    """
    rgb, previous, mask = frame.rgb, frame.previous, frame.mask
    factor = None
    if whole_object:
        rows, cols = np.nonzero(mask)
        side = max(rows.max() - rows.min(), cols.max() - cols.min()) + 1
        factor = config.crop / (side * (1 + 2 * rng.uniform(*config.object_margin_range)))
        factor = max(factor, config.crop / min(mask.shape))
    elif tuple(config.scale_range) != (1.0, 1.0):
        factor = rng.uniform(*config.scale_range)
    if factor is not None:
        size = (max(1, round(mask.shape[0] * factor)), max(1, round(mask.shape[1] * factor)))
        rgb, previous = resize(rgb, size), resize(previous, size)
        mask = resize(mask.astype(np.float32), size) > 0.5
    flipped = config.flip_probability > 0 and rng.random() < config.flip_probability
    if flipped:
        rgb, previous, mask = rgb[:, ::-1], previous[:, ::-1], mask[:, ::-1]
    return FrameView(np.ascontiguousarray(rgb), np.ascontiguousarray(previous), np.ascontiguousarray(mask), flipped)


def object_window(mask: np.ndarray, crop: int) -> tuple[int, int, int, int]:
    """The crop centred on the object's box, moved inside the frame."""
    height, width = mask.shape
    ch, cw = min(crop, height), min(crop, width)
    rows, cols = np.nonzero(mask)
    y0 = int(np.clip(round((rows.min() + rows.max() + 1 - ch) / 2), 0, height - ch))
    x0 = int(np.clip(round((cols.min() + cols.max() + 1 - cw) / 2), 0, width - cw))
    return y0, x0, y0 + ch, x0 + cw


def choose_window(mask: np.ndarray, crop: int, rng: np.random.Generator, random_probability: float):
    height, width = mask.shape
    ch, cw = min(crop, height), min(crop, width)
    if rng.random() < random_probability or not mask.any():
        y0, x0 = rng.integers(0, height - ch + 1), rng.integers(0, width - cw + 1)
    else:
        rows, cols = np.nonzero(mask)
        pick = rng.integers(len(rows))
        y0 = int(np.clip(rows[pick] - rng.integers(0, ch), 0, height - ch))
        x0 = int(np.clip(cols[pick] - rng.integers(0, cw), 0, width - cw))
    return int(y0), int(x0), int(y0) + ch, int(x0) + cw


def corrupt_mask(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A plausible imperfect prediction of ``mask``: morphology plus an added or removed blob."""
    out = mask.astype(np.uint8)
    radius = int(rng.integers(1, 9))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    out = cv2.erode(out, kernel) if rng.random() < 0.5 else cv2.dilate(out, kernel)
    height, width = mask.shape
    centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
    axes = (int(rng.integers(4, max(5, width // 4))), int(rng.integers(4, max(5, height // 4))))
    cv2.ellipse(out, centre, axes, float(rng.uniform(0, 180)), 0, 360, int(rng.random() < 0.5), -1)
    return out.astype(bool)


def iterative_clicks(mask: np.ndarray, rng: np.random.Generator, max_error_clicks: int):
    clicker = EvalClicker()
    positive, negative = [], []
    prediction = np.zeros_like(mask)
    for _ in range(1 + int(rng.integers(0, max_error_clicks + 1))):
        click = clicker.next_click(mask, prediction)
        if click is None:
            break
        x, y, is_positive = click
        (positive if is_positive else negative).append((x, y))
        prediction = corrupt_mask(mask, rng)
    previous = prediction.astype(np.float32) if len(positive) + len(negative) > 1 else None
    return positive, negative, previous


def make_example(frame: CachedFrame, model_config: ModelConfig, config: ExampleConfig, scale: float,
                 simulator: ClickSimulator, rng: np.random.Generator) -> Example:
    whole_object = (config.object_crop_probability > 0 and frame.mask.any()
                    and rng.random() < config.object_crop_probability)
    view = frame_view(frame, config, rng, whole_object)
    window = (object_window(view.mask, config.crop) if whole_object
              else choose_window(view.mask, config.crop, rng, config.random_crop_probability))
    y0, x0, y1, x1 = window
    mask = view.mask[y0:y1, x0:x1]
    gain, gamma = rng.uniform(*config.gain_range), rng.uniform(*config.gamma_range)
    full_rgb = (np.clip(view.rgb * gain, 0, 1) ** gamma).astype(np.float32)
    previous_rgb = np.clip(view.previous[y0:y1, x0:x1] * gain, 0, 1) ** gamma
    previous_mask = None
    if not mask.any():
        positive, negative = [], [simulator_point(rng, mask.shape)]
    elif rng.random() < config.iterative_probability:
        positive, negative, previous_mask = iterative_clicks(mask, rng, config.max_error_clicks)
    else:
        sampled = simulator.sample(mask, rng=rng)
        positive, negative = sampled.positive, sampled.negative
    return Example(view.mask.shape, window, view.flipped, full_rgb, previous_rgb.astype(np.float32), list(positive),
                   list(negative), previous_mask, mask.astype(np.float32), scale).encode(model_config)


def simulator_point(rng: np.random.Generator, shape: tuple[int, int]) -> tuple[float, float]:
    """A random pixel centre, for crops that hold no object (one negative click)."""
    return float(rng.integers(shape[1])) + 0.5, float(rng.integers(shape[0])) + 0.5


def default_simulator(seed: int) -> ClickSimulator:
    return ClickSimulator(ClickSimulatorConfig(), seed=seed)
