"""J decay and flicker on masks with known motion: motion the image explains costs nothing."""

import numpy as np
import pytest

from hyperseg.model.evaluation.temporal_metrics import backward_flow, decay, flicker, warp_mask

from ..propagation.moving_frames import DiscShot


def test_decay_is_first_third_minus_last_third():
    assert decay([1.0, 1.0, 0.8, 0.8, 0.5, 0.5]) == pytest.approx(0.5)
    assert decay([0.5, 0.9, 0.9]) == pytest.approx(-0.4)


def test_a_mask_that_moves_with_the_image_does_not_flicker_and_one_that_stays_does():
    shot = DiscShot(velocity=(4.0, 1.0))
    rgbs = [shot.rgb(t) for t in range(5)]
    flows = [backward_flow(rgbs[t - 1], rgbs[t]) for t in range(1, 5)]
    moving = [shot.mask(t) for t in range(5)]
    assert warp_mask(moving[0], flows[0]).sum() == pytest.approx(moving[1].sum(), rel=0.03)
    still = [shot.mask(0)] * 5  # a 50 px disc 4.1 px from where the motion takes it: xor / union ~ 0.065
    assert flicker(still, flows) == pytest.approx(0.065, abs=0.01)
    assert flicker(moving, flows) < flicker(still, flows) / 2  # what is left: flow errors at the edge
    breathing = [shot.mask(t) if t % 2 == 0 else np.zeros_like(shot.mask(t)) for t in range(5)]
    assert flicker(breathing, flows) == pytest.approx(1.0)
    assert flicker(moving[:1], []) == 0.0
