import tracemalloc

import pytest
import torch

from hyperseg.model.config import HYPERCOLUMN_CHANNELS, ModelConfig
from hyperseg.model.network.tucker import TuckerCompressor


def test_paper_ranks_are_736_channels():
    config = ModelConfig.paper()
    assert config.tucker_ranks == (32, 64, 128, 256, 256)
    assert config.compressed_channels == 736
    assert config.compressed_channels + config.context_channels == 746


def test_fit_gives_orthonormal_factors_of_the_right_rank():
    ranks = (4, 8, 8, 16, 16)
    compressor = TuckerCompressor(ranks)
    generator = torch.Generator().manual_seed(0)

    bases = [torch.randn(c, 3, generator=generator) for c in HYPERCOLUMN_CHANNELS.values()]

    def frames():
        for _ in range(3):  # every frame shares each layer's rank-3 channel basis, plus noise
            yield [b @ torch.randn(3, 200, generator=generator)
                   + 0.01 * torch.randn(b.shape[0], 200, generator=generator) for b in bases]

    errors = compressor.fit(frames())
    for index, (rank, channels) in enumerate(zip(ranks, HYPERCOLUMN_CHANNELS.values(), strict=True)):
        u = compressor.factor(index)
        assert u.shape == (channels, rank)
        assert torch.allclose(u.T @ u, torch.eye(rank), atol=1e-4)
    assert max(errors) < 0.05  # rank >= 3 captures the rank-3 signal


def test_fit_memory_grows_with_channels_not_with_samples():
    """A corpus is far wider (feature vectors) than tall (channels): an N x N Gram would be 128 MB here."""
    compressor = TuckerCompressor((2, 2, 2, 2, 2))
    generator = torch.Generator().manual_seed(0)
    samples = 4_000
    corpus = [[torch.randn(c, samples, generator=generator) for c in HYPERCOLUMN_CHANNELS.values()]]
    tracemalloc.start()
    compressor.fit(iter(corpus), n_iter_max=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    corpus_bytes = max(HYPERCOLUMN_CHANNELS.values()) * samples * 8
    assert peak < 4 * corpus_bytes


def test_compress_projects_channels_only():
    compressor = TuckerCompressor((2, 2, 2, 2, 2))
    compressor.randomize(3)
    maps = torch.rand(64, 5, 7)
    out = compressor.compress(0, maps)
    assert out.shape == (2, 5, 7)
    assert torch.allclose(out[:, 2, 3], compressor.factor(0).T @ maps[:, 2, 3], atol=1e-6)


def test_bad_rank_is_rejected():
    with pytest.raises(ValueError, match="rank 100 for conv1_2"):
        ModelConfig(tucker_ranks=(100, 64, 128, 256, 256))
