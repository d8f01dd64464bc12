import numpy as np
import pytest

from hyperseg.model.training.composite import paste_object


def frames(size=(40, 60), box=(5, 15, 8, 20)):
    """A grey background, and a donor whose green object fills ``box`` = (y0, y1, x0, x1) in a red frame."""
    background = np.full((*size, 3), 0.5, np.float32)
    donor = np.zeros((*size, 3), np.float32)
    donor[..., 0] = 1.0
    mask = np.zeros(size, bool)
    y0, y1, x0, x1 = box
    mask[y0:y1, x0:x1] = True
    donor[mask] = (0.0, 1.0, 0.0)
    return background, donor, mask


@pytest.mark.parametrize("seed", range(6))
def test_the_pasted_object_is_the_donors_whole_object_moved_over_the_background(seed):
    background, donor, mask = frames()
    previous = background * 0.5
    pasted = paste_object(background, previous, donor, donor * 0.25, mask, np.random.default_rng(seed))
    rows, cols = np.nonzero(pasted.mask)
    assert pasted.mask.sum() == mask.sum()
    assert (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) == (10, 12)
    core = np.zeros_like(pasted.mask)
    core[rows.min() + 2:rows.max() - 1, cols.min() + 2:cols.max() - 1] = True
    np.testing.assert_allclose(pasted.rgb[core], np.tile([0.0, 1.0, 0.0], (core.sum(), 1)), atol=1e-6)
    np.testing.assert_allclose(pasted.previous[core], np.tile([0.0, 0.25, 0.0], (core.sum(), 1)), atol=1e-6)
    far = np.ones_like(pasted.mask)
    far[max(rows.min() - 4, 0):rows.max() + 5, max(cols.min() - 4, 0):cols.max() + 5] = False
    assert np.array_equal(pasted.rgb[far], background[far]) and np.array_equal(pasted.previous[far], previous[far])
    edge = pasted.mask & ~core
    assert (pasted.rgb[edge][:, 1] < 1.0).any(), "the pasted edge is softened, not cut"


def test_shifts_vary_and_reach_the_frame_edges():
    background, donor, mask = frames()
    corners = {tuple(np.argwhere(paste_object(background, background, donor, donor, mask,
                                              np.random.default_rng(seed)).mask).min(0)) for seed in range(40)}
    assert len(corners) > 20
    ys, xs = zip(*corners, strict=True)
    assert min(ys) <= 3 and max(ys) >= 26 and min(xs) <= 5 and max(xs) >= 43


def test_a_donor_of_another_size_is_resampled_and_one_without_object_gives_nothing():
    background, _, _ = frames()
    _, donor, mask = frames(size=(80, 120), box=(10, 30, 16, 40))
    pasted = paste_object(background, background, donor, donor, mask, np.random.default_rng(0))
    assert pasted.rgb.shape == background.shape and pasted.mask.sum() == 10 * 12
    empty = np.zeros(mask.shape, bool)
    assert paste_object(background, background, donor, donor, empty, np.random.default_rng(0)) is None
