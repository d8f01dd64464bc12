"""The interactive API, shaped like segment-anything's ``SamPredictor``.

``set_frame`` does every image-only computation once (tessellated backbone, Tucker projection and
layer 1's image part, folded) and caches it; ``predict`` runs only the click path and is cheap.
``encode_frame`` / ``predict_encoded`` expose the same two halves for callers that keep many
frames cached (the daemon).
"""

from __future__ import annotations

import functools
import math
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from hyperseg.model.checkpoint import LoadedCheckpoint, load_checkpoint
from hyperseg.model.config import ModelConfig
from hyperseg.model.cues.boundary_band import refine_boundaries
from hyperseg.model.cues.classical import FrameWalker
from hyperseg.model.cues.click_enforcement import enforce_clicks
from hyperseg.model.cues.click_locality import limit_click_changes
from hyperseg.model.cues.colour_model import colour_probability_map
from hyperseg.model.cues.colour_recut import recut_pixels, recut_with_grabcut
from hyperseg.model.cues.context import (
    build_context,
    context_slice,
    frame_walker_cue,
    geodesic_distance_map,
    gradient_magnitude,
    walker_probability_map,
)
from hyperseg.model.cues.hypothesis_choice import least_change_first
from hyperseg.model.focus import (
    FOCUS_PIXELS,
    FocusState,
    Window,
    context_window,
    crop_size,
    focus_window,
    full_window,
    interpolate_window,
)
from hyperseg.model.frames import check_frame, resize
from hyperseg.model.network.hyperseg_net import HyperSegNet
from hyperseg.protocol.clicks import Point, check_clicks
from hyperseg.protocol.errors import HypersegError, InputError
from hyperseg.protocol.proxy import check_proxy, check_run_size, model_proxy, proxy_size


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise InputError("device 'cuda' was asked for but torch sees no CUDA device here")
    return device


@dataclass
class FrameEncoding:
    """Everything about one frame that clicks do not change."""

    image_part: torch.Tensor  # (width, h, w): layer 1's image part plus bias, at the run resolution
    rgb: np.ndarray  # (h, w, 3) frame at the run resolution
    previous: np.ndarray  # (h, w, 3) previous frame (or the frame itself) at the run resolution
    gradient: np.ndarray | None  # (h, w) colour gradient magnitude, for geodesic cues
    frame_size: tuple[int, int]  # (H, W) of the full frame
    proxy: float

    @property
    def run_size(self) -> tuple[int, int]:
        return self.rgb.shape[0], self.rgb.shape[1]

    @functools.cached_property
    def rgb_std(self) -> float:
        """The run-resolution frame's standard deviation (the walker's edge-weight scale)."""
        return float(self.rgb.std())

    @property
    def nbytes(self) -> int:
        tensor = self.image_part.element_size() * self.image_part.nelement()
        extra = 0 if self.gradient is None else self.gradient.nbytes
        return tensor + self.rgb.nbytes + self.previous.nbytes + extra


@dataclass
class Prediction:
    masks: np.ndarray  # (M, H, W) float32 in [0, 1] at the full frame size; hypothesis 0 is the best
    #: (M,) mean confidence 2|p - 0.5| of each hypothesis the call refined (``refine``: hypothesis 0 by
    #: default), in [0, 1]; 0 for the others (not band-solved or re-cut), so the highest score is never an
    #: unfinished hypothesis. Confidence is not quality: hypothesis 0, the trained-best, is the answer even
    #: when another is more confident (``benchmarks.hypothesis_scores``).
    scores: np.ndarray
    seconds: float
    focus: FocusState | None = None  # what the next click on the same frame starts from
    window: Window | None = None  # the run-grid window this click re-ran; None: the whole frame

    @property
    def alpha(self) -> np.ndarray:
        return self.masks[0]


@dataclass
class _Cues:
    """The click-dependent inputs of one run of the network, on the grid it runs on."""

    context: np.ndarray  # (C_ctx, h, w)
    walker: np.ndarray | None
    geodesic: np.ndarray | None


def _confidence(masks: np.ndarray) -> np.ndarray:
    """Sum of |p - 0.5| over each hypothesis's pixels, (M,) float64: twice it over the pixel count is its score."""
    return np.abs(masks - 0.5).sum(axis=(1, 2), dtype=np.float64)


class Predictor:
    """The interactive predictor. With ``focus_crop`` (the default) a click added on a frame that
    already has a prediction re-runs only the window it can change (``hyperseg.model.focus``), at
    most ``focus_pixels`` pixels; without it every click runs the whole frame.

    ``device_solvers``: the click path's random walker and geodesic distances run in torch on the
    predictor's device (``hyperseg.model.cues.device_solvers``) instead of SciPy/scikit-image on the
    host; None (the default) turns them on exactly on CUDA. ``half``: the cached image part and the
    click kernel in float16 (None: on CUDA only)."""

    def __init__(self, model: HyperSegNet, checkpoint_id: str, device: str | torch.device = "auto",
                 training: dict | None = None, focus_crop: bool = True, focus_pixels: int = FOCUS_PIXELS,
                 device_solvers: bool | None = None, half: bool | None = None) -> None:
        self.device = resolve_device(device)
        self.dtype = torch.float16 if (self.device.type == "cuda" if half is None else half) else torch.float32
        on_device = self.device.type == "cuda" if device_solvers is None else device_solvers
        self.solver_device = self.device if on_device else None
        self.model = model.eval().to(self.device)
        self.checkpoint_id = checkpoint_id
        self.training = training or {}
        self.focus_crop = focus_crop
        self.focus_pixels = focus_pixels
        self._encoding: FrameEncoding | None = None
        self._last: Prediction | None = None

    @classmethod
    def load(cls, path: str | Path | None = None, device: str | torch.device = "auto", focus_crop: bool = True,
             focus_pixels: int = FOCUS_PIXELS, device_solvers: bool | None = None,
             half: bool | None = None) -> Predictor:
        """The bundled default checkpoint, or the one at ``path``."""
        loaded: LoadedCheckpoint = load_checkpoint(path)
        return cls(loaded.model, loaded.checkpoint_id, device, loaded.training, focus_crop, focus_pixels,
                   device_solvers, half)

    @classmethod
    def untrained(cls, seed: int = 0, config: ModelConfig | None = None,
                  device: str | torch.device = "cpu", focus_crop: bool = True,
                  focus_pixels: int = FOCUS_PIXELS, device_solvers: bool | None = None,
                  half: bool | None = None) -> Predictor:
        """Random CAN weights and random orthonormal Tucker factors: for tests and benchmarks only."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = HyperSegNet(config or ModelConfig.default())
        model.compressor.randomize(seed)
        return cls(model, f"untrained-{seed}", device, focus_crop=focus_crop, focus_pixels=focus_pixels,
                   device_solvers=device_solvers, half=half)

    @property
    def config(self) -> ModelConfig:
        return self.model.config

    @property
    def hypotheses(self) -> int:
        return self.config.hypotheses

    @property
    def backbone(self) -> str:
        return self.model.backbone.describe()

    def describe(self) -> dict[str, str]:
        weights = self.model.backbone.weights
        info = {
            "checkpoint": self.checkpoint_id,
            "config": self.config.name,
            "backbone": self.backbone,
            "backbone_pretrained": "yes" if weights.pretrained else "no",
            "device": str(self.device),
            "hypotheses": str(self.hypotheses),
            "clicks_enforced": "yes" if self.config.enforce_clicks else "no",
            "boundary_band": f"{self.config.boundary_band:g}",
            "click_changes": self._click_changes_described(),
            "focus_crop": f"{self.focus_pixels} px" if self.focus_crop else "off",
        }
        if self.config.mirror_first_click:  # named only when on: reports of settings without it stay as written
            info["mirror_first_click"] = "yes"
        if self.config.first_click_recut:  # named only when on, as mirror_first_click
            info["first_click_recut"] = f"GrabCut within {self.config.first_click_recut:g}x the mask's radius"
            wide, overlap = self.config.first_click_recut_wide, self.config.first_click_recut_overlap
            if wide:
                info["first_click_recut"] += f", {wide:g}x where its colours overlap its surroundings' by < {overlap:g}"
        if "previous_mask" in self.config.extra_context:  # named only when on, as mirror_first_click
            info["previous_mask"] = "each later click is fed the answer before it"
        if self.config.later_click_hypothesis != "first":  # named only when on, as mirror_first_click
            info["later_click_hypothesis"] = "the one that changes the previous answer least"
        if not weights.pretrained:
            info["warning"] = "backbone is a fingerprinted random initialisation, not ImageNet-pretrained VGG-19"
        return info

    def _click_changes_described(self) -> str:
        config = self.config
        if config.click_changes != "reach":
            return config.click_changes
        along = f", along the contour {config.click_reach_along:g}x depth" if config.click_reach_along else ""
        measured = ", measured along the image" if config.click_reach_geodesic else ""
        positive = f" ({config.click_reach_positive:g}x for positive clicks)" if config.click_reach_positive else ""
        deepest = f", no deeper than {config.click_reach_depth:g}x depth" if config.click_reach_depth else ""
        deepest += " unless its colour agrees" if config.click_reach_depth and config.click_reach_depth_colour else ""
        thickest = (f", no thicker than {config.click_reach_thickness:g}x its half-width at the click"
                    if config.click_reach_thickness else "")
        return (f"reach {config.click_reach:g}x depth{positive}{measured}, at least {config.click_reach_min:g} x "
                f"diagonal{along}{deepest}{thickest}")

    def run_proxy(self, width: int, height: int, proxy: float | None = None) -> float:
        """The proxy a ``width`` x ``height`` frame runs at: ``proxy``, or when None the model's own
        (``ModelConfig.run_pixels``); InputError if it is out of range or leaves too few pixels."""
        proxy = check_proxy(model_proxy(width, height, self.config.run_pixels) if proxy is None else proxy)
        check_run_size(width, height, proxy)
        return proxy

    @torch.inference_mode()
    def encode_frame(self, rgb: np.ndarray, previous: np.ndarray | None = None,
                     proxy: float | None = None) -> FrameEncoding:
        """All image-only work for a frame, at ``proxy`` x its resolution (see ``hyperseg.protocol.proxy``);
        None: the scale the model answers best at (``ModelConfig.run_pixels``)."""
        rgb = check_frame(rgb)
        prev = rgb if previous is None else check_frame(previous, "previous frame")
        if prev.shape != rgb.shape:
            raise InputError(
                f"previous frame is {prev.shape[1]}x{prev.shape[0]}, frame is {rgb.shape[1]}x{rgb.shape[0]}"
            )
        proxy = self.run_proxy(rgb.shape[1], rgb.shape[0], proxy)
        full = rgb.shape[:2]
        run = proxy_size(full[1], full[0], proxy)[::-1]
        small, small_prev = resize(rgb, run), resize(prev, run)
        tensor = torch.from_numpy(np.ascontiguousarray(small.transpose(2, 0, 1))).to(self.device)
        # Kept pixel-major (channels last), as the click kernel adds it to each click's first layer.
        image_part = self.model.encode(tensor).to(self.dtype)[None].contiguous(memory_format=torch.channels_last)[0]
        gradient = gradient_magnitude(small) if "geodesic_distance" in self.config.extra_context else None
        return FrameEncoding(image_part, small, small_prev, gradient, full, proxy)

    @torch.inference_mode()
    def predict_encoded(self, encoding: FrameEncoding, positive: Sequence[Point] = (),
                        negative: Sequence[Point] = (), mask_input: np.ndarray | None = None,
                        previous: Prediction | None = None, refine: Sequence[int] | None = (0,)) -> Prediction:
        """Masks for the clicks on ``encoding``'s frame.

        ``previous`` is this caller's last prediction on the same encoding: with ``focus_crop``
        and clicks that keep its clicks and add some, only the window the new clicks can change
        is re-run and pasted into it; a config with the ``previous_mask`` cue is given its answer as
        that cue unless ``mask_input`` says otherwise. ``refine`` lists the hypotheses the caller uses;
        only their boundary band is re-solved (None: all of them).
        """
        start = time.perf_counter()
        positive = check_clicks(positive, "positive", encoding.frame_size[::-1])
        negative = check_clicks(negative, "negative", encoding.frame_size[::-1])
        if not positive and not negative:
            raise InputError("no clicks: give at least one positive or negative click")
        if refine is not None:
            refine = sorted(set(int(i) for i in refine))
            if any(not 0 <= i < self.hypotheses for i in refine):
                raise InputError(f"refine asks for hypotheses {refine}; this model gives 0..{self.hypotheses - 1}")
        (h, w), (full_h, full_w) = encoding.run_size, encoding.frame_size
        sx, sy = w / full_w, h / full_h
        previous_mask = None
        if mask_input is not None:
            mask_input = np.asarray(mask_input, np.float32)
            if mask_input.shape != encoding.frame_size:
                raise InputError(f"mask_input is {mask_input.shape}, frame is {encoding.frame_size}")
            previous_mask = resize(mask_input, (h, w))
        run_positive, run_negative = [(x * sx, y * sy) for x, y in positive], [(x * sx, y * sy) for x, y in negative]
        state = previous.focus if previous is not None and previous.focus.encoding() is encoding else None
        if previous_mask is None and state is not None and "previous_mask" in self.config.extra_context:
            previous_mask = state.run_masks[0]  # the previous answer, fed back as the network trained with it
        added = run_added = None
        if state is not None:
            added = state.added_clicks(positive, negative)
        window = None
        if added is not None:
            run_added = [[(x * sx, y * sy) for x, y in clicks] for clicks in added]
            if self.focus_crop:
                window = focus_window(state.run_masks[0], run_added[0] + run_added[1])
        if window is None:
            if state is None and self.config.mirror_first_click:
                run_masks, walker, geodesic = self._mirrored_first_click(encoding, run_positive, run_negative,
                                                                         previous_mask, refine)
            else:
                run_masks, walker, geodesic = self._whole_frame(
                    encoding, run_positive, run_negative, previous_mask, refine,
                    state.walker if state is not None else None,
                    state.run_masks[0] > 0.5 if run_added is not None and self._orders_later_clicks else None)
            if run_added is not None:
                run_masks = self._limit_changes(encoding, state.run_masks, run_masks, run_added, (0, 0, h, w))
            elif self.config.first_click_recut > 0:
                run_masks = recut_with_grabcut(run_masks, encoding.rgb, run_positive, run_negative,
                                               self.config.first_click_recut, refine,
                                               pixels=recut_pixels(encoding.frame_size),
                                               wide=self.config.first_click_recut_wide,
                                               overlap=self.config.first_click_recut_overlap)
            masks = run_masks
            if (h, w) != encoding.frame_size:
                masks = F.interpolate(torch.from_numpy(run_masks)[None], size=encoding.frame_size, mode="bilinear",
                                      align_corners=False)[0].numpy()
            confidence = _confidence(masks)
        else:
            run_masks, walker, geodesic, masks, confidence = self._focus(
                encoding, state, window, run_positive, run_negative, run_added, previous_mask, refine)
        focus = FocusState(weakref.ref(encoding), list(positive), list(negative), run_masks, walker, geodesic, masks,
                           confidence)
        scores = np.clip(confidence * (2.0 / (full_h * full_w)), 0.0, 1.0)
        if refine is not None:  # a hypothesis the call did not refine is no answer it stands behind
            scores[[m for m in range(len(scores)) if m not in refine]] = 0.0
        return Prediction(masks, scores.astype(np.float32), time.perf_counter() - start, focus, window)

    @property
    def _orders_later_clicks(self) -> bool:
        """Whether a later click's hypotheses are ordered by their change (``later_click_hypothesis``): only
        then is the previous answer put on the click's grid for ``_run_network``."""
        return self.config.later_click_hypothesis == "least_change"

    def _cue_scale(self, encoding: FrameEncoding) -> float:
        """Run-grid pixels per pixel that click distances are measured in (``ModelConfig.cue_scale``)."""
        return self.config.cue_scale(encoding.proxy, encoding.frame_size)

    def _cues(self, rgb: np.ndarray, previous_rgb: np.ndarray, positive: list[Point], negative: list[Point],
              scale: float, previous_mask: np.ndarray | None, gradient: np.ndarray | None,
              walker: np.ndarray | None, geodesic: np.ndarray | None, colour: np.ndarray | None = None) -> _Cues:
        context = build_context(self.config, rgb, previous_rgb, positive, negative, scale, previous_mask, gradient,
                                walker, geodesic, self.solver_device, colour)
        if "geodesic_distance" in self.config.extra_context:
            geodesic = context[context_slice(self.config, "geodesic_distance")] * self.config.distance_clip
        return _Cues(context, walker, geodesic)

    def _run_network(self, image_part: torch.Tensor, cues: _Cues, rgb: np.ndarray, positive: list[Point],
                     negative: list[Point], diagonal: float, frame_std: float,
                     refine: Sequence[int] | None, previous: np.ndarray | None = None) -> np.ndarray:
        """The CAN and the post-processes on one grid: (M, h, w) hypotheses; ``previous``, a later
        click's previous answer on the grid ((h, w) bool; given only when ``_orders_later_clicks``),
        orders them."""
        context = torch.from_numpy(cues.context)[None].to(self.device, self.dtype)
        logits = self.model.decode_click(image_part[None], context)
        hypotheses = torch.sigmoid(logits.float())[0].cpu().contiguous().numpy()
        if self.config.enforce_clicks:
            hypotheses = enforce_clicks(hypotheses, cues.walker, positive, negative)
        if previous is not None:
            hypotheses = least_change_first(hypotheses, previous)
        if self.config.boundary_band > 0:
            hypotheses = refine_boundaries(hypotheses, rgb, positive, negative, self.config.boundary_band, refine,
                                           diagonal, frame_std, self.solver_device)
        return hypotheses

    def _limit_changes(self, encoding: FrameEncoding, old: np.ndarray, new: np.ndarray, added: list[list[Point]],
                       window: Window) -> np.ndarray:
        """``new`` run-grid hypotheses with what ``added`` clicks may not change (``ModelConfig.click_changes``)
        in ``window`` put back as in ``old``; outside the window they are ``old``'s already."""
        if self.config.click_changes == "any":
            return new
        y0, x0, y1, x1 = window
        inside = (slice(None), slice(y0, y1), slice(x0, x1))
        gradient = None
        if self.config.click_reach_geodesic:
            gradient = (encoding.gradient[y0:y1, x0:x1] if encoding.gradient is not None
                        else gradient_magnitude(encoding.rgb[y0:y1, x0:x1]))
        new[inside] = limit_click_changes(old[inside], new[inside], [(x - x0, y - y0) for x, y in added[0]],
                                          [(x - x0, y - y0) for x, y in added[1]], self.config.click_changes,
                                          self.config.click_reach,
                                          self.config.click_reach_min * math.hypot(*old.shape[1:]),
                                          self.config.click_reach_along, gradient, self.config.click_reach_positive,
                                          self.config.click_reach_depth,
                                          encoding.rgb[y0:y1, x0:x1] if self.config.click_reach_depth_colour else None,
                                          self.config.click_reach_thickness)
        return new

    def _whole_frame(self, encoding: FrameEncoding, positive: list[Point], negative: list[Point],
                     previous_mask: np.ndarray | None, refine: Sequence[int] | None,
                     frame_walker: FrameWalker | None = None, previous: np.ndarray | None = None):
        """The whole frame on the run grid; ``frame_walker``: the frame's walker from an earlier click, kept;
        ``previous``: the answer before the clicks added (``_run_network``)."""
        walker = None
        if "walker_probability" in self.config.extra_context or self.config.enforce_clicks:
            if self.focus_crop:  # later clicks on the frame reuse its walker's factor
                if frame_walker is None:
                    frame_walker = frame_walker_cue(encoding.rgb, self.config.walker_max_pixels, self.solver_device)
                walker = frame_walker.probability(positive, negative)
            else:
                walker = walker_probability_map(encoding.rgb, positive, negative, self.config.walker_max_pixels,
                                                self.solver_device)
        cues = self._cues(encoding.rgb, encoding.previous, positive, negative, self._cue_scale(encoding), previous_mask,
                          encoding.gradient, walker, None)
        hypotheses = self._run_network(encoding.image_part, cues, encoding.rgb, positive, negative,
                                       math.hypot(*encoding.run_size), encoding.rgb_std, refine, previous)
        return hypotheses, frame_walker, cues.geodesic

    def _mirrored_first_click(self, encoding: FrameEncoding, positive: list[Point], negative: list[Point],
                              previous_mask: np.ndarray | None, refine: Sequence[int] | None):
        """``_whole_frame`` for a first click, averaged with its answer on the frame mirrored left to right
        (``ModelConfig.mirror_first_click``); the walker and geodesic cues kept for later clicks are the frame's."""
        hypotheses, walker, geodesic = self._whole_frame(encoding, positive, negative, previous_mask, refine)
        width = encoding.run_size[1]

        def mirror(points: list[Point]) -> list[Point]:
            return [(width - x, y) for x, y in points]

        mirrored = self.encode_frame(np.ascontiguousarray(encoding.rgb[:, ::-1]),
                                     np.ascontiguousarray(encoding.previous[:, ::-1]), proxy=1.0)
        mirrored_mask = None if previous_mask is None else np.ascontiguousarray(previous_mask[:, ::-1])
        answer, _, _ = self._whole_frame(mirrored, mirror(positive), mirror(negative), mirrored_mask, refine)
        return 0.5 * (hypotheses + answer[:, :, ::-1]), walker, geodesic

    def _focus(self, encoding: FrameEncoding, state: FocusState, window: Window, positive: list[Point],
               negative: list[Point], added: list[list[Point]], previous_mask: np.ndarray | None,
               refine: Sequence[int] | None):
        """Run the context window around ``window`` at most ``focus_pixels`` pixels; paste ``window`` into ``state``."""
        y0, x0, y1, x1 = seen = context_window(window, encoding.run_size)
        size = crop_size(seen, self.focus_pixels)
        scale_y, scale_x = size[0] / (y1 - y0), size[1] / (x1 - x0)
        scale = math.sqrt(scale_x * scale_y)
        cut = (slice(y0, y1), slice(x0, x1))

        def to_crop(points: list[Point]) -> list[Point]:
            return [((x - x0) * scale_x, (y - y0) * scale_y) for x, y in points]

        def inside(points: list[Point]) -> list[Point]:
            return [(x, y) for x, y in points if 0 <= x < size[1] and 0 <= y < size[0]]

        def to_grid(array: np.ndarray) -> np.ndarray:
            return resize(array, size)

        image_part = encoding.image_part[:, y0:y1, x0:x1]
        if size != (y1 - y0, x1 - x0):
            image_part = F.interpolate(image_part[None], size=size, mode="bilinear", align_corners=False,
                                       antialias=True)[0]
        rgb, previous_rgb = to_grid(encoding.rgb[cut]), to_grid(encoding.previous[cut])
        crop_positive, crop_negative = to_crop(positive), to_crop(negative)
        diagonal = math.hypot(*encoding.run_size) * scale
        walker = None
        if state.walker is not None:
            # The whole frame's walker, cut (a crop's walker, its border seeded from the last one, is a worse
            # cue; tuning frames: benchmarks/results/focus_crop_tuning.json), from the factor of its first click.
            walker = to_grid(state.walker.probability(positive, negative)[cut])
        geodesic = None
        if state.geodesic is not None:
            gradient = encoding.gradient[cut] if scale == 1.0 else gradient_magnitude(rgb)
            unit = 1.0 / (self._cue_scale(encoding) * scale)
            geodesic = np.stack([
                np.minimum(to_grid(state.geodesic[sign][cut]),
                           geodesic_distance_map(to_crop(clicks), gradient, unit, self.config.distance_clip,
                                                 self.solver_device))
                for sign, clicks in enumerate(added)
            ])
        colour = None
        if "colour_probability" in self.config.extra_context:
            # The colour models see the whole frame's clicks and border, as the first click's did: on the
            # crop alone they would take its edges, object and all, for background.
            colour = to_grid(colour_probability_map(encoding.rgb, positive, negative)[cut])
        crop_mask = None if previous_mask is None else to_grid(previous_mask[cut])
        cues = self._cues(rgb, previous_rgb, crop_positive, crop_negative, self._cue_scale(encoding) * scale, crop_mask,
                          None, walker, geodesic, colour)
        hypotheses = self._run_network(image_part, cues, rgb, inside(crop_positive), inside(crop_negative), diagonal,
                                       encoding.rgb_std, refine,
                                       to_grid(state.run_masks[0][cut]) > 0.5 if self._orders_later_clicks else None)

        def paste(old: np.ndarray | None, new: np.ndarray | None) -> np.ndarray | None:
            if old is None:
                return None
            out = old.copy()
            new = new.reshape(-1, *size)
            if size != (y1 - y0, x1 - x0):
                new = F.interpolate(torch.from_numpy(np.ascontiguousarray(new))[None], size=(y1 - y0, x1 - x0),
                                    mode="bilinear", align_corners=False)[0].numpy()
            top, left, bottom, right = window
            inner = out[..., top:bottom, left:right]
            inner[...] = new[:, top - y0 : bottom - y0, left - x0 : right - x0].reshape(inner.shape)
            return out

        run_masks = self._limit_changes(encoding, state.run_masks, paste(state.run_masks, hypotheses), added,
                                        window)
        if encoding.run_size == encoding.frame_size:
            masks, big = run_masks, window
        else:
            big = full_window(window, encoding.run_size, encoding.frame_size)
            masks = state.masks.copy()
            masks[:, big[0]:big[2], big[1]:big[3]] = interpolate_window(
                torch.from_numpy(run_masks), encoding.frame_size, big).numpy()
        changed = (slice(None), slice(big[0], big[2]), slice(big[1], big[3]))
        confidence = state.confidence - _confidence(state.masks[changed]) + _confidence(masks[changed])
        return run_masks, state.walker, paste(state.geodesic, cues.geodesic), masks, confidence

    def set_frame(self, rgb: np.ndarray, previous: np.ndarray | None = None, proxy: float | None = None) -> None:
        self._encoding = self.encode_frame(rgb, previous, proxy)
        self._last = None

    def predict(self, positive: Sequence[Point] = (), negative: Sequence[Point] = (),
                mask_input: np.ndarray | None = None, refine: Sequence[int] | None = (0,)) -> Prediction:
        """Masks for the clicks on the frame of ``set_frame``; a click added to the last call's runs its focus crop."""
        if self._encoding is None:
            raise HypersegError("predict() called before set_frame(): give the predictor a frame first")
        self._last = self.predict_encoded(self._encoding, positive, negative, mask_input, self._last, refine)
        return self._last
