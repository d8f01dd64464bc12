"""The interactive API, shaped like segment-anything's ``SamPredictor``.

``set_frame`` does every image-only computation once (tessellated backbone, Tucker projection and
layer 1's image part, folded) and caches it; ``predict`` runs only the click path and is cheap.
``encode_frame`` / ``predict_encoded`` expose the same two halves for callers that keep many
frames cached (the daemon).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from hyperseg.model.checkpoint import LoadedCheckpoint, load_checkpoint
from hyperseg.model.config import ModelConfig
from hyperseg.model.cues.boundary_band import refine_boundaries
from hyperseg.model.cues.click_enforcement import enforce_clicks
from hyperseg.model.cues.context import build_context, gradient_magnitude, walker_probability_map
from hyperseg.model.frames import check_frame, resize
from hyperseg.model.network.hyperseg_net import HyperSegNet
from hyperseg.protocol.clicks import Point, check_clicks
from hyperseg.protocol.errors import HypersegError, InputError
from hyperseg.protocol.proxy import check_proxy, proxy_size


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

    @property
    def nbytes(self) -> int:
        tensor = self.image_part.element_size() * self.image_part.nelement()
        extra = 0 if self.gradient is None else self.gradient.nbytes
        return tensor + self.rgb.nbytes + self.previous.nbytes + extra


@dataclass
class Prediction:
    masks: np.ndarray  # (M, H, W) float32 in [0, 1] at the full frame size; hypothesis 0 is the best
    scores: np.ndarray  # (M,) mean confidence 2|p - 0.5| of each hypothesis, in [0, 1]
    seconds: float

    @property
    def alpha(self) -> np.ndarray:
        return self.masks[0]


class Predictor:
    def __init__(self, model: HyperSegNet, checkpoint_id: str, device: str | torch.device = "auto",
                 training: dict | None = None) -> None:
        self.device = resolve_device(device)
        self.model = model.eval().to(self.device)
        self.checkpoint_id = checkpoint_id
        self.training = training or {}
        self._encoding: FrameEncoding | None = None

    @classmethod
    def load(cls, path: str | Path | None = None, device: str | torch.device = "auto") -> Predictor:
        """The bundled default checkpoint, or the one at ``path``."""
        loaded: LoadedCheckpoint = load_checkpoint(path)
        return cls(loaded.model, loaded.checkpoint_id, device, loaded.training)

    @classmethod
    def untrained(cls, seed: int = 0, config: ModelConfig | None = None,
                  device: str | torch.device = "cpu") -> Predictor:
        """Random CAN weights and random orthonormal Tucker factors: for tests and benchmarks only."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = HyperSegNet(config or ModelConfig.default())
        model.compressor.randomize(seed)
        return cls(model, f"untrained-{seed}", device)

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
        }
        if not weights.pretrained:
            info["warning"] = "backbone is a fingerprinted random initialisation, not ImageNet-pretrained VGG-19"
        return info

    @torch.inference_mode()
    def encode_frame(self, rgb: np.ndarray, previous: np.ndarray | None = None, proxy: float = 1.0) -> FrameEncoding:
        """All image-only work for a frame, at ``proxy`` x its resolution (see ``hyperseg.protocol.proxy``)."""
        rgb = check_frame(rgb)
        prev = rgb if previous is None else check_frame(previous, "previous frame")
        if prev.shape != rgb.shape:
            raise InputError(
                f"previous frame is {prev.shape[1]}x{prev.shape[0]}, frame is {rgb.shape[1]}x{rgb.shape[0]}"
            )
        proxy = check_proxy(proxy)
        full = rgb.shape[:2]
        run = proxy_size(full[1], full[0], proxy)[::-1]
        small, small_prev = resize(rgb, run), resize(prev, run)
        tensor = torch.from_numpy(np.ascontiguousarray(small.transpose(2, 0, 1))).to(self.device)
        image_part = self.model.encode(tensor)
        gradient = gradient_magnitude(small) if "geodesic_distance" in self.config.extra_context else None
        return FrameEncoding(image_part, small, small_prev, gradient, full, proxy)

    @torch.inference_mode()
    def predict_encoded(self, encoding: FrameEncoding, positive: Sequence[Point] = (),
                        negative: Sequence[Point] = (), mask_input: np.ndarray | None = None) -> Prediction:
        start = time.perf_counter()
        positive = check_clicks(positive, "positive", encoding.frame_size[::-1])
        negative = check_clicks(negative, "negative", encoding.frame_size[::-1])
        if not positive and not negative:
            raise InputError("no clicks: give at least one positive or negative click")
        (h, w), (full_h, full_w) = encoding.run_size, encoding.frame_size
        sx, sy = w / full_w, h / full_h
        previous_mask = None
        if mask_input is not None:
            mask_input = np.asarray(mask_input, np.float32)
            if mask_input.shape != encoding.frame_size:
                raise InputError(f"mask_input is {mask_input.shape}, frame is {encoding.frame_size}")
            previous_mask = resize(mask_input, (h, w))
        run_positive, run_negative = [(x * sx, y * sy) for x, y in positive], [(x * sx, y * sy) for x, y in negative]
        walker = None
        if "walker_probability" in self.config.extra_context or self.config.enforce_clicks:
            walker = walker_probability_map(encoding.rgb, run_positive, run_negative, self.config.walker_max_pixels)
        context = build_context(self.config, encoding.rgb, encoding.previous, run_positive, run_negative,
                                encoding.proxy, previous_mask, encoding.gradient, walker)
        context_t = torch.from_numpy(context)[None].to(self.device)
        probabilities = torch.sigmoid(self.model.decode(encoding.image_part[None], context_t))
        if self.config.enforce_clicks or self.config.boundary_band > 0:
            hypotheses = probabilities[0].float().cpu().numpy()
            if self.config.enforce_clicks:
                hypotheses = enforce_clicks(hypotheses, walker, run_positive, run_negative)
            if self.config.boundary_band > 0:
                hypotheses = refine_boundaries(hypotheses, encoding.rgb, run_positive, run_negative,
                                               self.config.boundary_band)
            probabilities = torch.from_numpy(hypotheses)[None].to(self.device)
        if (h, w) != encoding.frame_size:
            probabilities = F.interpolate(probabilities, size=encoding.frame_size, mode="bilinear", align_corners=False)
        masks = probabilities[0].float().cpu().numpy()
        scores = np.abs(masks - 0.5).mean(axis=(1, 2)) * 2.0
        return Prediction(masks, scores.astype(np.float32), time.perf_counter() - start)

    def set_frame(self, rgb: np.ndarray, previous: np.ndarray | None = None, proxy: float = 1.0) -> None:
        self._encoding = self.encode_frame(rgb, previous, proxy)

    def predict(self, positive: Sequence[Point] = (), negative: Sequence[Point] = (),
                mask_input: np.ndarray | None = None) -> Prediction:
        if self._encoding is None:
            raise HypersegError("predict() called before set_frame(): give the predictor a frame first")
        return self.predict_encoded(self._encoding, positive, negative, mask_input)
