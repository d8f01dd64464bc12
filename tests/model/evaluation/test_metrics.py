"""Metrics checked by hand on 5x5 squares in a 9x9 frame."""

import numpy as np
import pytest

from hyperseg.model.evaluation.metrics import (
    boundary_band_width,
    boundary_iou,
    contour_iou,
    inner_band,
    iou,
    miou_at,
    noc,
)
from hyperseg.protocol.errors import InputError


def square(col0: int, row0: int = 2, size: int = 5, shape: tuple[int, int] = (9, 9)) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    mask[row0 : row0 + size, col0 : col0 + size] = True
    return mask


A = square(2)  # rows 2..6, cols 2..6
B = square(3)  # the same square, one column to the right


def test_iou_of_shifted_squares():
    # intersection 5x4 = 20, union 25 + 25 - 20 = 30
    assert iou(A, B) == pytest.approx(20 / 30)
    assert iou(A, A) == 1.0


def test_iou_leaves_unknown_pixels_out_of_both_counts():
    unknown = np.zeros((9, 9), dtype=bool)
    unknown[:, 7] = True  # B's right column: 5 of B's pixels, none of A's
    assert iou(A, B, unknown) == pytest.approx(20 / 25)
    with pytest.raises(InputError, match=r"unknown-label mask shape \(9, 8\)"):
        iou(A, B, unknown[:, :8])


def test_iou_empty_cases():
    empty = np.zeros((9, 9), dtype=bool)
    assert iou(empty, empty) == 1.0
    assert iou(A, empty) == 0.0
    assert iou(empty, A) == 0.0


def test_inner_band_counts_frame_edge_as_contour():
    full = np.ones((5, 5), dtype=bool)
    assert inner_band(full, 1).sum() == 16  # the outer ring
    assert inner_band(full, 2).sum() == 24  # all but the centre


def test_band_width_is_two_percent_of_diagonal_at_least_one():
    assert boundary_band_width((480, 854), 0.02) == 20  # 0.02 * 979.6 = 19.6
    assert boundary_band_width((9, 9), 0.02) == 1  # 0.25 rounds to 0, clamped to 1


def test_boundary_iou_with_one_pixel_band():
    # d = 1: each band is the 16-pixel ring; the rings share 4 pixels on the top and 4 on the bottom row
    assert boundary_iou(A, B) == pytest.approx(8 / 24)
    assert boundary_iou(A, A) == 1.0


def test_boundary_iou_with_two_pixel_band():
    # ratio 0.16 on a 12.73 px diagonal gives d = 2: each band is the square less its centre pixel.
    # intersection: the 20 shared pixels less both centres (4,4) and (4,5) = 18; union 24 + 24 - 18 = 30
    assert boundary_band_width((9, 9), 0.16) == 2
    assert boundary_iou(A, B, dilation_ratio=0.16) == pytest.approx(18 / 30)


def test_contour_iou_of_shifted_squares():
    # contour = 16-pixel ring; dilated by 1 it is the 7x7 square less its centre: 48 pixels.
    # The two 7x7 squares share 7x6 = 42 pixels, less the two centres: 40; union 48 + 48 - 40 = 56.
    assert contour_iou(A, B) == pytest.approx(40 / 56)
    assert contour_iou(A, A) == 1.0


def test_contour_iou_is_stricter_than_boundary_iou_on_large_masks():
    rows, cols = np.mgrid[:240, :320]
    disk = (rows - 120) ** 2 + (cols - 160) ** 2 <= 80**2
    shifted = (rows - 120) ** 2 + (cols - 162) ** 2 <= 80**2  # two pixels right; Cheng's d is 8 px here
    assert iou(shifted, disk) > 0.96
    assert 0.7 < boundary_iou(shifted, disk) < 0.85
    assert contour_iou(shifted, disk) < 0.55


def test_empty_masks_for_boundary_metrics():
    empty = np.zeros((9, 9), dtype=bool)
    assert boundary_iou(empty, empty) == 1.0
    assert contour_iou(empty, empty) == 1.0
    assert boundary_iou(A, empty) == 0.0
    assert contour_iou(empty, A) == 0.0


def test_metrics_reject_bad_masks():
    with pytest.raises(InputError, match="differs"):
        iou(A, np.zeros((8, 9), dtype=bool))
    with pytest.raises(InputError, match="bool"):
        boundary_iou(A.astype(np.uint8), A)
    with pytest.raises(InputError, match=r"\(H, W\)"):
        contour_iou(np.zeros((9, 9, 1), dtype=bool), A)


def test_noc():
    ious = [0.5, 0.86, 0.9, 0.95]
    assert noc(ious, 0.85, 20) == 2
    assert noc(ious, 0.90, 20) == 3  # reaching the threshold exactly counts
    assert noc(ious, 0.99, 20) == 20
    assert noc(ious, 0.90, 2) == 2  # clicks past max_clicks do not count


def test_miou_at():
    runs = [[0.1, 0.5, 0.9], [0.3, 0.7, 0.8]]
    assert miou_at(runs, 1) == pytest.approx(0.2)
    assert miou_at(runs, 2) == pytest.approx(0.6)
    with pytest.raises(InputError, match="mIoU@4"):
        miou_at(runs, 4)
    with pytest.raises(InputError):
        miou_at(runs, 0)
