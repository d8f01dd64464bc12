import math

import pytest
import torch

from hyperseg.model.training.loss import (
    LossConfig,
    boundary_pixels,
    boundary_pseudo_huber_loss,
    hyperseg_loss,
    interactive_context_loss,
    jaccard_loss,
    ranked_diversity_weights,
)


def test_jaccard_by_hand():
    target = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    prediction = torch.tensor([[0.5, 0.5], [1.0, 0.0]])
    # sum min = 0.5 + 0 + 1 + 0 = 1.5; sum max = 1 + 0.5 + 1 + 1 = 3.5
    assert jaccard_loss(target, prediction).item() == pytest.approx(1 - 1.5 / 3.5)
    assert jaccard_loss(torch.zeros(2, 2), torch.zeros(2, 2)).item() == 0.0


def test_interactive_context_by_hand():
    positive = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    negative = torch.tensor([[0.0, 1.0], [0.0, 0.0]])
    prediction = torch.tensor([[0.25, 0.5], [0.9, 0.9]])
    # |1 * (1 - 0.25)| + |1 * (1 - (1 - 0.5))| = 0.75 + 0.5
    assert interactive_context_loss(positive, negative, prediction).item() == pytest.approx(1.25)


def test_ranked_diversity_weights():
    assert ranked_diversity_weights(6).tolist() == pytest.approx([0.32, 0.16, 0.08, 0.04, 0.02, 0.01])


def test_boundary_pseudo_huber_by_hand():
    prediction = torch.full((3, 3), 0.8)
    assert boundary_pixels(prediction).sum().item() == 8  # all but the centre touch the frame edge
    expected = 8 * (math.sqrt(1 + 0.2**2) - 1)  # delta = 1
    assert boundary_pseudo_huber_loss(torch.ones(3, 3), prediction, 1.0).item() == pytest.approx(expected, rel=1e-5)
    delta = 0.1
    expected = 8 * delta**2 * (math.sqrt(1 + (0.2 / delta) ** 2) - 1)
    assert boundary_pseudo_huber_loss(torch.ones(3, 3), prediction, delta).item() == pytest.approx(expected, rel=1e-5)


def test_total_is_equation_3():
    target = torch.tensor([[[1.0, 0.0], [1.0, 1.0]]])
    predictions = torch.tensor([[[[0.5, 0.5], [1.0, 0.0]], [[1.0, 0.0], [1.0, 0.9]]]])  # M = 2
    positive = torch.tensor([[[1.0, 0.0], [0.0, 0.0]]])
    negative = torch.zeros(1, 2, 2)
    terms = hyperseg_loss(target, predictions, positive, negative, LossConfig.paper())
    j = jaccard_loss(target[:, None], predictions)[0]
    ic = interactive_context_loss(positive[:, None], negative[:, None], predictions)[0]
    best = torch.min(j + ic)
    diversity = 0.02 * j[0] + 0.01 * j[1]
    boundary = boundary_pseudo_huber_loss(target[:, None], predictions, 1.0).sum()
    assert terms.best_index.item() == 1  # the second hypothesis is nearly right
    assert terms.total.item() == pytest.approx((best + diversity + boundary).item(), rel=1e-6)
