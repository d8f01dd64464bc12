"""The training loss of eq. 3 (paper sec. 2.1.2), term by term.

L = min_m [ Jaccard(Y, f_m) + IC(S_p, S_n, f_m) ]          best hypothesis, with click agreement (eq. 4, 5)
  + sum_m lambda_m Jaccard(Y, f_m),  lambda_m = 1e-2 * 2^(M-m)   ranked diversity: hypothesis 1 is the best
  + sum_m sum_{p in boundary(f_m)} PHL_delta(Y(p) - f_m(p))       boundary pseudo-Huber (eq. 1, 2)

Every term is computed per sample and averaged over the batch. ``LossConfig`` weights the
interactive-context and boundary terms; at 1.0 (``LossConfig.paper()``) the sum is eq. 3 exactly.
The boundary of a predicted segmentation is the set of its foreground pixels (f_m > 0.5) that
touch a background pixel (4-neighbourhood); selecting them is not differentiated, the loss at
those pixels is.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class LossConfig:
    interactive_weight: float = 1.0
    boundary_weight: float = 1.0
    #: delta of the pseudo-Huber loss; the paper uses "a relatively large" value.
    delta: float = 1.0

    @classmethod
    def paper(cls) -> LossConfig:
        return cls()


def jaccard_loss(target: torch.Tensor, prediction: torch.Tensor) -> torch.Tensor:
    """Eq. 4: 1 - sum min(A, B) / sum max(A, B) over (..., H, W); 0 when both are empty."""
    inter = torch.minimum(target, prediction).sum(dim=(-2, -1))
    union = torch.maximum(target, prediction).sum(dim=(-2, -1))
    return 1.0 - torch.where(union > 0, inter / union.clamp_min(1e-12), torch.ones_like(union))


def interactive_context_loss(positive: torch.Tensor, negative: torch.Tensor, prediction: torch.Tensor) -> torch.Tensor:
    """Eq. 5: ||S_p * (S_p - A)||_1 + ||S_n * (S_n - (1 - A))||_1 over (..., H, W)."""
    pos = (positive * (positive - prediction)).abs().sum(dim=(-2, -1))
    neg = (negative * (negative - (1.0 - prediction))).abs().sum(dim=(-2, -1))
    return pos + neg


def ranked_diversity_weights(hypotheses: int) -> torch.Tensor:
    """lambda_m = 1e-2 * 2^(M - m) for m = 1..M."""
    m = torch.arange(1, hypotheses + 1, dtype=torch.float32)
    return 1e-2 * 2.0 ** (hypotheses - m)


def boundary_pixels(prediction: torch.Tensor) -> torch.Tensor:
    """Foreground pixels (> 0.5) with a background 4-neighbour (or the frame edge), as a float mask."""
    fg = (prediction > 0.5).float()
    flat = fg.reshape(-1, 1, *fg.shape[-2:])
    cross = torch.tensor([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]], device=fg.device)
    neighbours = F.conv2d(F.pad(flat, (1, 1, 1, 1), value=0.0), cross.view(1, 1, 3, 3))
    interior = (neighbours >= 5.0).float()
    return (flat * (1.0 - interior)).reshape(fg.shape)


def boundary_pseudo_huber_loss(target: torch.Tensor, prediction: torch.Tensor, delta: float) -> torch.Tensor:
    """Eq. 2 summed over the boundary pixels of each prediction: (..., H, W) -> (...)."""
    boundary = boundary_pixels(prediction.detach())
    phl = delta**2 * (torch.sqrt(1.0 + ((target - prediction) / delta) ** 2) - 1.0)
    return (boundary * phl).sum(dim=(-2, -1))


@dataclass
class LossTerms:
    total: torch.Tensor
    best: torch.Tensor
    diversity: torch.Tensor
    boundary: torch.Tensor
    best_index: torch.Tensor


def hyperseg_loss(target: torch.Tensor, predictions: torch.Tensor, positive: torch.Tensor,
                  negative: torch.Tensor, config: LossConfig = LossConfig()) -> LossTerms:
    """Eq. 3. target (B, H, W) in {0, 1}; predictions (B, M, H, W) in [0, 1]; click maps (B, H, W)."""
    target_m = target[:, None]
    jaccard = jaccard_loss(target_m, predictions)
    ic = interactive_context_loss(positive[:, None], negative[:, None], predictions)
    best, best_index = (jaccard + config.interactive_weight * ic).min(dim=1)
    diversity = (ranked_diversity_weights(predictions.shape[1]).to(jaccard.device) * jaccard).sum(dim=1)
    boundary = boundary_pseudo_huber_loss(target_m, predictions, config.delta).sum(dim=1)
    total = best + diversity + config.boundary_weight * boundary
    return LossTerms(total.mean(), best.mean(), diversity.mean(), boundary.mean(), best_index)
