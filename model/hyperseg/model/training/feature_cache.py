"""On-disk cache of each training frame's image-only work.

The backbone and the Tucker projection do not train, so a frame's compressed hypercolumn maps
(at native resolution, float16) are computed once and stored; epochs after the first cost only
the CAN. Entries are keyed by the frame files, the scale, the backbone fingerprint and the Tucker
factors, so changing any of them can never serve stale features. Writes are atomic. A run that
tunes the backbone's first convolutions caches the resampled images only (``with_maps=False``).

A frame at full 480p holds about 84 MB of maps, so proxy jitter (``TrainConfig.extra_scales``) can
fill tens of GB. With ``max_bytes`` the folder is kept at most that size: after each write the
least recently used entries (by modification time, which a hit renews) are deleted. An evicted
frame is recomputed when drawn again, to the same bytes, so a cap changes a run's time, not its
numbers.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from hyperseg.model.checkpoint import atomic_torch_save
from hyperseg.model.data import FrameSample, load_sample
from hyperseg.model.network.hyperseg_net import HyperSegNet
from hyperseg.protocol.errors import CorruptFileError


@dataclass
class CachedFrame:
    maps: list[torch.Tensor]  # per hypercolumn layer, (rank_l, h_l, w_l) float16
    rgb: np.ndarray  # (h, w, 3) float32 at the cache's scale
    previous: np.ndarray
    mask: np.ndarray  # (h, w) bool

    @property
    def size(self) -> tuple[int, int]:
        return self.mask.shape


def compressed_features(model: HyperSegNet, rgb: np.ndarray) -> list[torch.Tensor]:
    """A frame's Tucker-compressed hypercolumn maps at native resolution, float16: what the cache holds."""
    with torch.inference_mode():
        tensor = torch.from_numpy(np.ascontiguousarray(rgb.transpose(2, 0, 1)))
        return [m.to(torch.float16).clone() for m in model.compressed_maps(tensor)]


def tucker_digest(model: HyperSegNet) -> str:
    digest = hashlib.sha256()
    for key, value in sorted(model.compressor.state_dict().items()):
        digest.update(key.encode())
        digest.update(value.detach().float().cpu().numpy().tobytes())
    return digest.hexdigest()[:16]


class FeatureDiskCache:
    def __init__(self, directory: Path, model: HyperSegNet, scale: float, with_maps: bool = True,
                 max_bytes: int | None = None) -> None:
        self.directory = Path(directory)
        self.model = model
        self.scale = scale
        self.with_maps = with_maps
        self.max_bytes = max_bytes
        self._salt = f"{scale}|{model.backbone.fingerprint}|{tucker_digest(model)}" if with_maps else f"{scale}|images"

    def path(self, sample: FrameSample) -> Path:
        key = f"{sample.frame.resolve()}|{sample.previous.resolve()}|{sample.mask.resolve()}|{self._salt}"
        return self.directory / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.pt"

    def get(self, sample: FrameSample) -> CachedFrame:
        path = self.path(sample)
        if path.is_file():
            try:
                data = torch.load(path, map_location="cpu", weights_only=True)
            except Exception as exc:
                raise CorruptFileError(f"feature cache entry {path} is damaged ({exc}); delete it") from exc
            if self.max_bytes is not None:
                os.utime(path)  # recently used: evicted last
            return CachedFrame(list(data["maps"]), data["rgb"].numpy(), data["previous"].numpy(), data["mask"].numpy())
        loaded = load_sample(sample, self.scale)
        maps = compressed_features(self.model, loaded.rgb) if self.with_maps else []
        payload = {"maps": maps, "rgb": torch.from_numpy(loaded.rgb),
                   "previous": torch.from_numpy(loaded.previous), "mask": torch.from_numpy(loaded.mask)}
        atomic_torch_save(payload, path)
        if self.max_bytes is not None:
            self.evict(keep=path)
        return CachedFrame(maps, loaded.rgb, loaded.previous, loaded.mask)

    def evict(self, keep: Path) -> None:
        """Delete the folder's least recently used entries, never ``keep``, until it holds at most ``max_bytes``."""
        entries = []
        for path in self.directory.glob("*.pt"):
            if not path.name.startswith("."):  # a writer's temp file is not an entry
                try:
                    entries.append((path.stat(), path))
                except FileNotFoundError:
                    continue
        total = sum(stat.st_size for stat, _ in entries)
        for stat, path in sorted(entries, key=lambda entry: entry[0].st_mtime_ns):
            if total <= self.max_bytes:
                break
            if path != keep:
                path.unlink(missing_ok=True)
                total -= stat.st_size
