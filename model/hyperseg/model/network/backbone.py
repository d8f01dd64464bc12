"""VGG-19 hypercolumn backbone (torchvision layout) and the weights it may run with.

Weights are described by data, as torchvision's ``models/vgg.py`` does: each entry of
``BACKBONE_WEIGHTS`` says where the numbers come from. Nothing is ever downloaded.

- ``vgg19-imagenet``: torchvision's ``vgg19-dcbb9e9d.pth``, read from ``$HYPERSEG_VGG19_WEIGHTS``
  or torch's standard cache (``$TORCH_HOME/hub/checkpoints``).
- ``vgg19-random-v1``: no ImageNet weights exist on the machines this product was built on, so
  the backbone can be a deterministic random initialisation: He-uniform (fan-in, ReLU gain)
  weights and zero biases, drawn layer by layer from the raw 64-bit output of NumPy's PCG64 bit
  generator seeded with 20201. That stream is fixed by its algorithm, so the weights are the same
  on every machine and every torch or NumPy version.

Every backbone has a fingerprint (SHA-256 of its float32 weights); a checkpoint records the one
it was trained with and refuses to run on another. Where no ImageNet weights exist, training may
tune VGG-19's first convolutions with the CAN (``TrainConfig.backbone_convs``): the checkpoint then
carries those layers, records the fingerprint of the weights they replaced (``base_fingerprint``),
and the backbone's fingerprint is that of the tuned weights.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from hyperseg.model.config import HYPERCOLUMN_CHANNELS
from hyperseg.protocol.errors import NotFoundError

#: Index (in torchvision's ``vgg19().features``) of the ReLU after each hypercolumn conv.
HYPERCOLUMN_RELU_INDEX: dict[str, int] = {"conv1_2": 3, "conv2_2": 8, "conv3_2": 13, "conv4_2": 22, "conv5_2": 31}
#: Downsampling factor of each hypercolumn layer relative to the tile.
HYPERCOLUMN_STRIDE: dict[str, int] = {"conv1_2": 1, "conv2_2": 2, "conv3_2": 4, "conv4_2": 8, "conv5_2": 16}

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

# (in, out) channels of torchvision's VGG-19 convolutions up to conv5_2, in order.
_VGG19_CONVS = ((3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256), (256, 256), (256, 256),
                (256, 512), (512, 512), (512, 512), (512, 512), (512, 512), (512, 512))
_POOL_AFTER = {1, 3, 7, 11}  # conv indices followed by max-pooling
#: Names of those convolutions, in order.
VGG19_CONV_NAMES = ("conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1", "conv3_2", "conv3_3", "conv3_4",
                    "conv4_1", "conv4_2", "conv4_3", "conv4_4", "conv5_1", "conv5_2")


@dataclass(frozen=True)
class BackboneWeights:
    name: str
    description: str
    #: torchvision's file name, for weights read from disk; None for generated weights.
    filename: str | None = None
    seed: int | None = None
    meta: dict = field(default_factory=dict)

    @property
    def pretrained(self) -> bool:
        return self.filename is not None


BACKBONE_WEIGHTS: dict[str, BackboneWeights] = {
    "vgg19-imagenet": BackboneWeights(
        name="vgg19-imagenet",
        description="torchvision VGG19_Weights.IMAGENET1K_V1 (ImageNet-1k classification)",
        filename="vgg19-dcbb9e9d.pth",
        meta={"top1": "72.376", "source": "torchvision"},
    ),
    "vgg19-random-v1": BackboneWeights(
        name="vgg19-random-v1",
        description="deterministic random He-uniform initialisation (PCG64 seed 20201); NOT ImageNet-pretrained",
        seed=20201,
        meta={"init": "he-uniform fan_in, zero bias"},
    ),
}


def build_vgg19_features() -> nn.Sequential:
    """torchvision's ``vgg19().features`` up to the ReLU after conv5_2 (same module indices)."""
    layers: list[nn.Module] = []
    for index, (cin, cout) in enumerate(_VGG19_CONVS):
        layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True)]
        if index in _POOL_AFTER:
            layers.append(nn.MaxPool2d(2, 2))
    return nn.Sequential(*layers)


def _pcg64_uniform(generator: np.random.PCG64, count: int) -> np.ndarray:
    """``count`` uniforms in [0, 1) from the raw PCG64 stream (53-bit mantissa), version-independent."""
    raw = generator.random_raw(count)
    return (raw >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def random_vgg19_state(seed: int) -> dict[str, torch.Tensor]:
    generator = np.random.PCG64(seed)
    features = build_vgg19_features()
    state = {}
    for name, module in features.named_children():
        if not isinstance(module, nn.Conv2d):
            continue
        fan_in = module.in_channels * 9
        bound = np.sqrt(6.0 / fan_in)
        uniform = _pcg64_uniform(generator, module.weight.numel())
        weight = ((uniform * 2.0 - 1.0) * bound).astype(np.float32).reshape(module.weight.shape)
        state[f"{name}.weight"] = torch.from_numpy(weight)
        state[f"{name}.bias"] = torch.zeros(module.out_channels)
    return state


def imagenet_weights_path(weights: BackboneWeights) -> Path:
    """Where torchvision's file is looked for: $HYPERSEG_VGG19_WEIGHTS, then torch's cache."""
    explicit = os.environ.get("HYPERSEG_VGG19_WEIGHTS")
    candidates = [Path(explicit)] if explicit else []
    candidates.append(Path(torch.hub.get_dir()) / "checkpoints" / weights.filename)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise NotFoundError(
        f"ImageNet VGG-19 weights not found: looked for {', '.join(str(c) for c in candidates)}. "
        f"Copy torchvision's {weights.filename} there (nothing is downloaded), or set "
        "HYPERSEG_VGG19_WEIGHTS to its path."
    )


def load_backbone_state(name: str) -> dict[str, torch.Tensor]:
    if name not in BACKBONE_WEIGHTS:
        raise ValueError(f"unknown backbone {name!r}; known: {sorted(BACKBONE_WEIGHTS)}")
    weights = BACKBONE_WEIGHTS[name]
    if not weights.pretrained:
        return random_vgg19_state(weights.seed)
    full = torch.load(imagenet_weights_path(weights), map_location="cpu", weights_only=True)
    keep = {f"{i}.{kind}" for i in range(32) for kind in ("weight", "bias")}
    return {k.removeprefix("features."): v for k, v in full.items() if k.removeprefix("features.") in keep}


def fingerprint(state: dict[str, torch.Tensor]) -> str:
    """SHA-256 (first 16 hex digits) of the weights as little-endian float32, in key order."""
    digest = hashlib.sha256()
    for key in sorted(state, key=lambda k: (int(k.split(".")[0]), k)):
        digest.update(key.encode())
        digest.update(state[key].detach().to(torch.float32).cpu().contiguous().numpy().astype("<f4").tobytes())
    return digest.hexdigest()[:16]


class VGG19Hypercolumns(nn.Module):
    """VGG-19 returning post-ReLU conv1_2, conv2_2, conv3_2, conv4_2, conv5_2 maps; frozen unless
    its first convolutions are tuned (``tune_first_convs``)."""

    layers = tuple(HYPERCOLUMN_CHANNELS)

    def __init__(self, weights: str = "vgg19-random-v1") -> None:
        super().__init__()
        state = load_backbone_state(weights)
        self.weights = BACKBONE_WEIGHTS[weights]
        self.features = build_vgg19_features()
        self.features.load_state_dict(state)
        self.features.requires_grad_(False)
        #: The fingerprint of the weights as loaded, and of the weights the backbone runs with.
        self.base_fingerprint = self.fingerprint = fingerprint(state)
        #: How many of the first convolutions differ from the loaded weights (trained with the CAN).
        self.tuned_convs = 0
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def describe(self) -> str:
        if not self.tuned_convs:
            return f"{self.weights.name} fingerprint {self.fingerprint}"
        return (f"{self.weights.name} fingerprint {self.base_fingerprint} with {self.tuned_span()} trained, "
                f"fingerprint {self.fingerprint}")

    def tuned_span(self) -> str:
        first, last = VGG19_CONV_NAMES[0], VGG19_CONV_NAMES[self.tuned_convs - 1]
        return first if first == last else f"{first}..{last}"

    def conv_keys(self, count: int) -> list[str]:
        """``features`` state keys of the first ``count`` convolutions, in order."""
        if not 0 <= count <= len(VGG19_CONV_NAMES):
            raise ValueError(f"VGG-19 has {len(VGG19_CONV_NAMES)} convolutions up to conv5_2; asked for {count}")
        indices = [index for index, module in enumerate(self.features) if isinstance(module, nn.Conv2d)]
        return [f"{index}.{kind}" for index in indices[:count] for kind in ("weight", "bias")]

    def tune_first_convs(self, count: int) -> list[nn.Parameter]:
        """Make the first ``count`` convolutions trainable; returns their parameters."""
        parameters = [self.features.get_parameter(key) for key in self.conv_keys(count)]
        for parameter in parameters:
            parameter.requires_grad_(True)
        self.tuned_convs = max(self.tuned_convs, count)
        return parameters

    def tuned_state(self) -> dict[str, torch.Tensor]:
        """The tuned convolutions' weights, keyed as in ``features`` (what a checkpoint carries)."""
        return {key: self.features.get_parameter(key).detach().cpu().clone()
                for key in self.conv_keys(self.tuned_convs)}

    def load_tuned(self, state: dict[str, torch.Tensor]) -> None:
        """Replace the first convolutions by tuned ones (``tuned_state`` of another backbone)."""
        count = len(state) // 2
        if sorted(state) != sorted(self.conv_keys(count)):
            raise ValueError(f"tuned backbone layers {sorted(state)} are not VGG-19's first {count} convolutions")
        with torch.no_grad():
            for key, value in state.items():
                self.features.get_parameter(key).copy_(value)
        self.tuned_convs = count
        self.refresh_fingerprint()

    def refresh_fingerprint(self) -> str:
        """The fingerprint of the weights as they are now (after training steps)."""
        self.fingerprint = fingerprint(self.features.state_dict())
        return self.fingerprint

    def forward(self, tiles: torch.Tensor) -> list[torch.Tensor]:
        """tiles (T, 3, S, S) RGB in [0, 1] -> one (T, C_l, S / stride_l, S / stride_l) map per layer.

        The tiles run channels_last (every convolution follows its input's layout; about 30% faster
        on CPU than contiguous NCHW), so the maps come back channels_last.
        """
        x = ((tiles - self.mean) / self.std).contiguous(memory_format=torch.channels_last)
        wanted = {index: layer for layer, index in HYPERCOLUMN_RELU_INDEX.items()}
        outputs = []
        for index, module in enumerate(self.features):
            x = module(x)
            if index in wanted:
                outputs.append(x)
        return outputs
