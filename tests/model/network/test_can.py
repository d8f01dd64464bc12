from dataclasses import replace

import torch

from hyperseg.model.config import ModelConfig
from hyperseg.model.network.can import ContextAggregationNet

NARROW = ModelConfig.tiny()
WIDE = replace(NARROW, extra_context=("previous_mask",))


def inputs(config, seed=0):
    generator = torch.Generator().manual_seed(seed)
    compressed = torch.rand(2, config.compressed_channels, 12, 14, generator=generator)
    context = torch.rand(2, config.context_channels, 12, 14, generator=generator)
    return compressed, context


def test_a_narrower_network_loads_with_zeros_on_the_added_channels_and_answers_as_before():
    torch.manual_seed(0)
    narrow, wide = ContextAggregationNet(NARROW), ContextAggregationNet(WIDE)
    wide.load_narrower(narrow.state_dict(), 1)
    compressed, context = inputs(NARROW)
    added = torch.cat([context, torch.zeros(2, 1, 12, 14)], dim=1)
    assert torch.equal(narrow(compressed, context), wide(compressed, added))
    moved = torch.cat([context, torch.ones(2, 1, 12, 14)], dim=1)
    assert torch.equal(narrow(compressed, context), wide(compressed, moved))  # zero weights: the cue is unseen


def test_training_the_last_context_weights_moves_only_them():
    torch.manual_seed(0)
    can = ContextAggregationNet(WIDE)
    before = {k: v.clone() for k, v in can.state_dict().items()}
    optimizer = torch.optim.Adam(can.last_context_weights(1), lr=0.1)
    compressed, context = inputs(WIDE, seed=1)
    for _ in range(2):
        optimizer.zero_grad()
        can(compressed, context).sum().backward()
        optimizer.step()
    for layer, name in zip(can.convolutions(), ["first", *[f"dilated.{i}" for i in range(3)], "last"], strict=True):
        old = before[f"{name}.weight"]
        assert torch.equal(layer.weight[:, :-1], old[:, :-1]), name
        assert not torch.equal(layer.weight[:, -1:], old[:, -1:]), name
        assert torch.equal(layer.bias, before[f"{name}.bias"]), name
