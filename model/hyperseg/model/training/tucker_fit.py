"""Fitting the Tucker factors once on a corpus of frames (``hyperseg fit-tucker``)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from hyperseg.model.checkpoint import atomic_torch_save
from hyperseg.model.data import FrameSample, usable_samples
from hyperseg.model.network.hyperseg_net import HyperSegNet
from hyperseg.protocol.errors import CorruptFileError, InputError, NotFoundError

TUCKER_FORMAT = "hyperseg-tucker"


def corpus_samples(model: HyperSegNet, samples: Sequence[FrameSample], scale: float, per_frame: int,
                   seed: int) -> Iterator[list[torch.Tensor]]:
    """Per frame, ``per_frame`` random pixels' feature vectors from each layer's native map."""
    rng = np.random.default_rng(seed)
    for _, loaded in tqdm(usable_samples(samples, scale), desc="backbone features", unit="frame"):
        with torch.inference_mode():
            maps = model.stitched_maps(torch.from_numpy(np.ascontiguousarray(loaded.rgb.transpose(2, 0, 1))))
        picked = []
        for layer_maps in maps:
            channels, h, w = layer_maps.shape
            flat = layer_maps.reshape(channels, h * w)
            picked.append(flat[:, torch.from_numpy(rng.choice(h * w, size=min(per_frame, h * w), replace=False))])
        yield picked


def fit_tucker(model: HyperSegNet, samples: Sequence[FrameSample], out: Path, scale: float = 0.5,
               per_frame: int = 1000, seed: int = 0) -> dict:
    """Fit ``model.compressor`` on ``samples`` and save the factors to ``out``; returns the report."""
    if not samples:
        raise InputError("fit-tucker needs at least one frame")
    start = time.perf_counter()
    errors = model.compressor.fit(corpus_samples(model, samples, scale, per_frame, seed))
    report = {
        "frames": len(samples),
        "scale": scale,
        "pixels_per_frame": per_frame,
        "ranks": list(model.compressor.ranks),
        "relative_error": errors,
        "seconds": round(time.perf_counter() - start, 1),
    }
    atomic_torch_save({
        "format": TUCKER_FORMAT,
        "backbone": {"name": model.config.backbone, "fingerprint": model.backbone.fingerprint},
        "state": {k: v.clone() for k, v in model.compressor.state_dict().items()},
        "report": report,
    }, out)
    return report


def load_tucker(model: HyperSegNet, path: Path) -> dict:
    """Put fitted factors from ``path`` into ``model``; the backbone and ranks must match."""
    if not Path(path).is_file():
        raise NotFoundError(f"Tucker factors file not found: {path} (run `hyperseg fit-tucker` first)")
    try:
        payload = torch.load(Path(path), map_location="cpu", weights_only=True)
    except Exception as exc:
        raise CorruptFileError(f"Tucker factors file {path} is damaged: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != TUCKER_FORMAT:
        raise CorruptFileError(f"{path} is not a HyperSeg Tucker factors file")
    if payload["backbone"]["fingerprint"] != model.backbone.fingerprint:
        raise InputError(f"Tucker factors in {path} were fitted on backbone {payload['backbone']['fingerprint']}, "
                         f"this model's backbone is {model.backbone.fingerprint}")
    if list(payload["report"]["ranks"]) != list(model.compressor.ranks):
        raise InputError(f"Tucker factors in {path} have ranks {payload['report']['ranks']}, "
                         f"the model config wants {list(model.compressor.ranks)}")
    model.compressor.load_state_dict(payload["state"])
    return payload["report"]
