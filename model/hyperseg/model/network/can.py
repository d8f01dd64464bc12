"""The context aggregation network of Table 1 with context-aware skip connections (sec. 2.4).

Layer 1 is a 1x1 convolution from the compressed hypercolumn plus the context channels to
``width`` channels. Layers 2-9 are 3x3 convolutions with dilations 1, 2, 4, ..., 128 (padding =
dilation, so the size never shrinks); layer 10 is a 3x3 convolution to M hypotheses. The context
channels are concatenated into the input of EVERY layer after the first. ReLU follows every layer
but the last; a sigmoid gives the M soft masks.

Layer 1 is linear, so it is kept split: ``first_layer_context`` is the click-dependent part, while
the image part is folded into the backbone projection (``hyperseg.model.network.hyperseg_net``).

``click_kernel`` is the inference form of layers 1 (context part) to 10: the same numbers as
``forward_after_first`` without a concatenation per layer. One channels_last buffer holds the
layer input in its first ``width`` channels and the context, written once per click, in the rest;
every layer convolves the whole buffer and writes its rectified output back over the first part.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from hyperseg.model.config import ModelConfig


class ContextAggregationNet(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        ctx, width = config.context_channels, config.width
        self.first = nn.Conv2d(config.compressed_channels + ctx, width, 1)
        self.dilated = nn.ModuleList(
            nn.Conv2d(width + ctx, width, 3, padding=d, dilation=d) for d in config.dilations
        )
        self.last = nn.Conv2d(width + ctx, config.hypotheses, 3, padding=1)

    def convolutions(self) -> list[nn.Conv2d]:
        """Every layer, each of which takes the context channels last in its input."""
        return [self.first, *self.dilated, self.last]

    def load_narrower(self, state: dict[str, torch.Tensor], added: int) -> None:
        """Weights of a network with ``added`` fewer context channels (the last ones here), with zeros on
        those channels: the same outputs as that network until they train."""
        widened = {}
        for name, value in state.items():
            if name.endswith("weight"):
                zeros = value.new_zeros((value.shape[0], added, *value.shape[2:]))
                value = torch.cat([value, zeros], dim=1)
            widened[name] = value
        self.load_state_dict(widened)

    def last_context_weights(self, count: int) -> list[nn.Parameter]:
        """The layers' weights, trained only on the last ``count`` context channels: a gradient hook zeroes
        the rest of each weight's gradient (the caller leaves the biases out), so every other weight,
        and every output for a context whose last channels are zero, stays as it was."""
        weights = []
        for layer in self.convolutions():
            keep = torch.zeros_like(layer.weight)
            keep[:, -count:] = 1.0
            layer.weight.register_hook(lambda grad, keep=keep: grad * keep)
            weights.append(layer.weight)
        return weights

    def image_weights(self) -> list[torch.Tensor]:
        """Layer 1's weights on each layer's compressed channels: (width, rank_l) per hypercolumn layer."""
        weight = self.first.weight[:, : self.config.compressed_channels, 0, 0]
        return list(torch.split(weight, list(self.config.tucker_ranks), dim=1))

    def first_layer_context(self, context: torch.Tensor) -> torch.Tensor:
        """Layer 1's click-dependent part: (B, C_ctx, H, W) -> (B, width, H, W), no bias."""
        weight = self.first.weight[:, self.config.compressed_channels :]
        return F.conv2d(context, weight)

    def forward_after_first(self, first: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """Layers 2-10 from layer 1's pre-activation; returns logits (B, M, H, W)."""
        x = F.relu(first)
        for layer in self.dilated:
            x = F.relu(layer(torch.cat([x, context], dim=1)), inplace=True)
        return self.last(torch.cat([x, context], dim=1))

    @torch.inference_mode()
    def click_kernel(self, image_part: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """``forward_after_first(image_part + first_layer_context(context), context)`` for inference.

        image_part: (1, width, H, W) layer 1's image part plus bias; context: (1, C_ctx, H, W).
        Returns logits (1, M, H, W), channels_last, in ``image_part``'s dtype: a half-precision image
        part runs the whole kernel in half precision (the weights are cast per click; they are small).
        """
        width, channels_last, dtype = self.config.width, torch.channels_last, image_part.dtype
        buffer = torch.empty((1, width + context.shape[1], *image_part.shape[2:]), dtype=image_part.dtype,
                             device=image_part.device, memory_format=channels_last)
        layer_input, buffer_context = buffer[:, :width], buffer[:, width:]
        buffer_context.copy_(context)
        first = F.conv2d(buffer_context, self.first.weight[:, self.config.compressed_channels :].to(dtype))
        first.add_(image_part)
        torch.clamp_min(first, 0.0, out=layer_input)
        del first
        for layer in self.dilated:
            weight = layer.weight.to(dtype, memory_format=channels_last)
            output = F.conv2d(buffer, weight, layer.bias.to(dtype), 1, layer.padding, layer.dilation)
            torch.clamp_min(output, 0.0, out=layer_input)
            del output
        return F.conv2d(buffer, self.last.weight.to(dtype, memory_format=channels_last), self.last.bias.to(dtype),
                        1, 1)

    def forward(self, compressed: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """The paper's computation, all at frame resolution: logits (B, M, H, W)."""
        return self.forward_after_first(self.first(torch.cat([compressed, context], dim=1)), context)
