import numpy as np
import pytest
import torch

from hyperseg.model.config import ModelConfig
from hyperseg.model.cues.context import build_context
from hyperseg.model.network.can import ContextAggregationNet


def _context(config, rgb):
    image = rgb.permute(1, 2, 0).numpy()
    return torch.from_numpy(build_context(config, image, image, [(5.5, 7.5)], [(30.5, 20.5)]))[None]


@pytest.mark.parametrize("size", [(53, 71), (37, 240)])
def test_folded_path_equals_naive(tiny_model, size):
    torch.manual_seed(1)
    rgb = torch.rand(3, *size)
    ctx = _context(tiny_model.config, rgb)
    with torch.no_grad():
        naive = tiny_model.forward_naive(rgb, ctx)
        folded = tiny_model.decode(tiny_model.encode(rgb)[None], ctx)
    assert naive.shape == (1, tiny_model.config.hypotheses, *size)
    assert torch.allclose(naive, folded, atol=1e-5, rtol=1e-4)


def test_cached_compressed_maps_give_the_same_image_part(tiny_model):
    rgb = torch.rand(3, 40, 60)
    with torch.no_grad():
        encoded = tiny_model.encode(rgb)
        from_cache = tiny_model.image_part_from_compressed(tiny_model.compressed_maps(rgb), (40, 60))
        window = tiny_model.image_part_from_compressed(tiny_model.compressed_maps(rgb), (40, 60), (5, 7, 30, 50))
    assert torch.allclose(encoded, from_cache, atol=1e-5)
    assert torch.allclose(window, encoded[:, 5:30, 7:50], atol=1e-5)


@pytest.mark.parametrize(("size", "window"), [((90, 130), (5, 7, 40, 50)), ((60, 85), (30, 40, 60, 85)),
                                             ((140, 200), (0, 0, 140, 200))])
def test_a_window_runs_only_the_tiles_it_samples_and_sees_the_same_maps(size, window):
    """A 70x100 frame in 32-pixel tiles (3 x 4), shown rescaled at ``size`` (as training's scale jitter does)."""
    from dataclasses import replace

    from hyperseg.model.network.hyperseg_net import HyperSegNet

    torch.manual_seed(2)
    model = HyperSegNet(replace(ModelConfig.tiny(), tile_size=32)).eval()
    model.compressor.randomize(0)
    rgb = torch.rand(3, 70, 100)
    tiles = model.window_tiles(70, 100, size, window)
    assert 0 < len(tiles) <= 12 and (len(tiles) == 12) == (window == (0, 0, *size))
    with torch.no_grad():
        whole = model.image_part_from_compressed(model.compressed_maps(rgb), size, window)
        only = model.image_part_from_compressed(model.compressed_maps(rgb, size, window), size, window)
        zero_cells = (model.compressed_maps(rgb, size, window)[0] == 0).all(0).sum().item()
    assert (zero_cells == 0) == (len(tiles) == 12)  # the tiles left out stay zero
    assert torch.allclose(whole, only, atol=1e-5)  # batches of other sizes: float rounding only


def test_paper_can_matches_table_1():
    can = ContextAggregationNet(ModelConfig.paper())
    assert (can.first.in_channels, can.first.out_channels, can.first.kernel_size) == (746, 70, (1, 1))
    assert [layer.dilation[0] for layer in can.dilated] == [1, 2, 4, 8, 16, 32, 64, 128]
    assert all((m.in_channels, m.out_channels, m.padding[0]) == (80, 70, m.dilation[0]) for m in can.dilated)
    assert (can.last.in_channels, can.last.out_channels, can.last.kernel_size) == (80, 6, (3, 3))


def test_context_reaches_every_layer_after_the_first():
    config = ModelConfig.tiny()
    can = ContextAggregationNet(config)
    seen = []
    hooks = [m.register_forward_hook(lambda mod, inp, out: seen.append(inp[0])) for m in [*can.dilated, can.last]]
    compressed = torch.rand(1, config.compressed_channels, 9, 9)
    context = torch.rand(1, config.context_channels, 9, 9)
    can(compressed, context)
    for hook in hooks:
        hook.remove()
    assert len(seen) == len(config.dilations) + 1
    for layer_input in seen:
        assert torch.equal(layer_input[:, -config.context_channels :], context)


def test_output_keeps_odd_sizes(tiny_model):
    rgb = torch.rand(3, 47, 85)
    with torch.no_grad():
        out = tiny_model.decode(tiny_model.encode(rgb)[None], _context(tiny_model.config, rgb))
    assert out.shape[-2:] == (47, 85)
    assert np.isfinite(out.numpy()).all()


def test_folded_path_equals_naive_when_a_layer_is_narrower_than_the_can():
    """conv1_2 (64 channels) against a 64-wide CAN is projected band by band while upsampling."""
    from dataclasses import replace

    from hyperseg.model.network.hyperseg_net import HyperSegNet

    torch.manual_seed(2)
    model = HyperSegNet(replace(ModelConfig.tiny(), width=64, dilations=(1,))).eval()
    model.compressor.randomize(1)
    rgb = torch.rand(3, 30, 50)
    ctx = _context(model.config, rgb)
    with torch.no_grad():
        assert torch.allclose(model.forward_naive(rgb, ctx), model.decode(model.encode(rgb)[None], ctx), atol=1e-5)


@pytest.mark.parametrize("config", [ModelConfig.tiny(), ModelConfig.default()], ids=["tiny", "default"])
def test_click_kernel_equals_the_training_decode(config):
    """The inference kernel (one buffer, no per-layer concatenation, channels_last) gives decode's logits."""
    torch.manual_seed(2)
    can = ContextAggregationNet(config).eval()
    image_part = torch.randn(1, config.width, 41, 67)
    context = torch.rand(1, config.context_channels, 41, 67)
    with torch.no_grad():
        expected = can.forward_after_first(image_part + can.first_layer_context(context), context)
    kernel = can.click_kernel(image_part, context)
    assert kernel.shape == expected.shape
    assert torch.allclose(kernel, expected, atol=1e-5, rtol=1e-4)
