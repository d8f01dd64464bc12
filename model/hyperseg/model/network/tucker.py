"""Tucker compression of hypercolumns along the channel mode (paper sec. 2.2).

Each layer's channels are projected onto ``rank`` orthonormal directions: compressed = U^T f for a
feature vector f, with U (C x rank) the channel-mode factor of a Tucker decomposition. The factors
are fitted ONCE on a corpus of frames (``hyperseg fit-tucker``) with tensorly's ``partial_tucker``
on the channel mode only, and stored with the weights: a per-frame decomposition would give every
frame a different basis and the network could not learn.

Each layer also carries a fitted scalar ``scale`` (1 / RMS of its compressed features on the corpus)
so that layers whose raw activations differ by orders of magnitude reach the CAN on one footing.
It is a plain linear factor and folds into the projection like everything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import tensorly as tl
import torch
from tensorly.decomposition import partial_tucker
from torch import nn

from hyperseg.model.config import HYPERCOLUMN_CHANNELS


class TuckerCompressor(nn.Module):
    """Channel-mode Tucker factors for the five hypercolumn layers."""

    def __init__(self, ranks: Sequence[int]) -> None:
        super().__init__()
        self.ranks = tuple(ranks)
        for index, (rank, channels) in enumerate(zip(self.ranks, HYPERCOLUMN_CHANNELS.values(), strict=True)):
            eye = torch.eye(channels, rank)
            self.register_buffer(f"factor{index}", eye)
            self.register_buffer(f"scale{index}", torch.ones(()))

    def factor(self, index: int) -> torch.Tensor:
        """U_l, (C_l, rank_l) with orthonormal columns."""
        return getattr(self, f"factor{index}")

    def scale(self, index: int) -> torch.Tensor:
        return getattr(self, f"scale{index}")

    def projection(self, index: int) -> torch.Tensor:
        """The (rank_l, C_l) matrix taking a layer's channels to its compressed channels."""
        return self.scale(index) * self.factor(index).T

    def compress(self, index: int, maps: torch.Tensor) -> torch.Tensor:
        """(..., C_l, h, w) -> (..., rank_l, h, w)."""
        return torch.einsum("rc,...chw->...rhw", self.projection(index), maps)

    def randomize(self, seed: int) -> None:
        """Random orthonormal factors (QR of a seeded Gaussian): untrained models and tests."""
        generator = torch.Generator().manual_seed(seed)
        for index, rank in enumerate(self.ranks):
            channels = self.factor(index).shape[0]
            q, _ = torch.linalg.qr(torch.randn(channels, rank, generator=generator))
            self.factor(index).copy_(q)

    def fit(self, samples: Iterable[list[torch.Tensor]], n_iter_max: int = 10) -> list[float]:
        """Fit every layer's factor on corpus samples; returns each layer's relative reconstruction error.

        ``samples`` yields, per frame, one (C_l, n) matrix per layer: feature vectors drawn from that
        frame. They are stacked into one (C_l, N) corpus tensor per layer and decomposed along
        mode 0 (channels) only. The decomposition runs on the corpus's (C_l, C_l) Gram matrix, whose
        mode-0 factor is exactly the corpus's (same left singular vectors), so memory and time grow
        with the channels, not with the tens of thousands of feature vectors.
        """
        per_layer: list[list[np.ndarray]] = [[] for _ in self.ranks]
        for frame_samples in samples:
            for index, matrix in enumerate(frame_samples):
                per_layer[index].append(matrix.detach().double().cpu().numpy())
        errors = []
        for index, rank in enumerate(self.ranks):
            corpus = np.concatenate(per_layer[index], axis=1)
            _, factors = partial_tucker(tl.tensor(corpus @ corpus.T), rank=[rank], modes=[0],
                                        n_iter_max=n_iter_max, random_state=0)[0]
            u = np.asarray(factors[0])
            core = u.T @ corpus
            errors.append(float(np.linalg.norm(corpus - u @ core) / max(np.linalg.norm(corpus), 1e-12)))
            rms = float(np.sqrt(np.mean(core ** 2)))
            self.factor(index).copy_(torch.from_numpy(u).float())
            self.scale(index).fill_(1.0 / max(rms, 1e-12))
        return errors
