"""hyperseg.protocol.frame_values: the one rule for what a frame's values may be."""

from __future__ import annotations

import numpy as np
import pytest

from hyperseg.protocol.errors import InputError
from hyperseg.protocol.frame_values import MAX_FLOAT_MEDIAN, float_pixels, rgb_pixels


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_integers_are_their_values_over_the_largest(dtype):
    top = np.iinfo(dtype).max
    pixels = np.array([[[0, top // 2, top]]], dtype=dtype)
    out = float_pixels(pixels)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[[0.0, (top // 2) / top, 1.0]]])


def test_floats_pass_as_float32_highlights_and_all():
    plate = np.full((16, 16, 3), 0.18, np.float64)
    plate[:4, :6] = 40.0  # scene-linear highlights: the caller clips, nothing here refuses them
    out = float_pixels(plate)
    assert out.dtype == np.float32 and out.max() == pytest.approx(40.0)


@pytest.mark.parametrize("pixels, message", [
    (np.full((8, 8, 3), 120.0, np.float32), r"plate looks like 0-255 values stored as floats \(median 120\.0\)"),
    (np.full((8, 8, 3), 7, np.int64), "plate must hold floats .* or uint8/uint16, got dtype int64"),
    (np.ones((8, 8, 3), bool), "got dtype bool"),
])
def test_anything_else_is_refused_in_one_line(pixels, message):
    with pytest.raises(InputError, match=message) as refused:
        float_pixels(pixels, "plate")
    assert "\n" not in str(refused.value)


def test_the_median_bound_sits_between_a_blown_out_plate_and_a_dark_8_bit_frame():
    assert float_pixels(np.full((8, 8, 3), MAX_FLOAT_MEDIAN, np.float32)).max() == MAX_FLOAT_MEDIAN
    with pytest.raises(InputError):
        float_pixels(np.full((8, 8, 3), MAX_FLOAT_MEDIAN + 1, np.float32))


def test_rgba_loses_its_alpha_and_other_shapes_are_refused_in_one_line():
    rgba = np.random.default_rng(0).random((6, 7, 4)).astype(np.float32)
    np.testing.assert_array_equal(rgb_pixels(rgba), rgba[:, :, :3])
    assert rgb_pixels((rgba * 255).astype(np.uint8)).shape == (6, 7, 3)
    for bad, message in ((rgba[:, :, :2], r"plate must be an \(H, W, 3\) RGB array, got shape \(6, 7, 2\)"),
                         (rgba[:, :, 0], r"got shape \(6, 7\)"), (rgba[:0], r"plate is empty: \(0, 7, 4\)")):
        with pytest.raises(InputError, match=message):
            rgb_pixels(bad, "plate")
