"""What a frame's pixels may be: (H, W, 3) RGB, or RGBA whose alpha is dropped; floats ([0, 1] for SDR,
above 1 for scene-linear highlights) or 8/16-bit integers as an image file holds them. One rule for the
Predictor, the Client and the daemon."""

from __future__ import annotations

import numpy as np

from hyperseg.protocol.errors import InputError

#: A float frame whose median is above this is taken for 8-bit values stored as floats (0-255), not a
#: scene-linear plate: such a plate's highlights go above 1, but its middle grey sits near 0.18, and a
#: median of 4 is a frame blown out more than four stops above it.
MAX_FLOAT_MEDIAN = 4.0
#: Integer frames are read as their values over the type's largest (255 -> 1.0).
INTEGER_TYPES = (np.uint8, np.uint16)


def float_pixels(array: np.ndarray, name: str = "frame") -> np.ndarray:
    """``array``'s values as float32: integers of ``INTEGER_TYPES`` over their largest value, floats as they
    are. InputError for any other type, or for floats that look like 0-255 values (median above
    ``MAX_FLOAT_MEDIAN``). Range and finiteness are the caller's to check."""
    array = np.asarray(array)
    if array.dtype in INTEGER_TYPES:
        return array.astype(np.float32) / np.iinfo(array.dtype).max
    if not np.issubdtype(array.dtype, np.floating):
        raise InputError(f"{name} must hold floats ([0, 1] for SDR, linear) or uint8/uint16, got dtype {array.dtype}")
    median = float(np.nanmedian(array[::4, ::4])) if array.size else 0.0
    if median > MAX_FLOAT_MEDIAN:
        raise InputError(f"{name} looks like 0-255 values stored as floats (median {median:.1f}): divide by 255, "
                         f"or pass the uint8 array")
    return array.astype(np.float32, copy=False)


def rgb_pixels(array: np.ndarray, name: str = "frame") -> np.ndarray:
    """An (H, W, 3) RGB or (H, W, 4) RGBA array as (H, W, 3) float32 (``float_pixels``: alpha dropped), or
    InputError naming its shape."""
    array = np.asarray(array)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise InputError(f"{name} must be an (H, W, 3) RGB array, got shape {array.shape}")
    if 0 in array.shape[:2]:
        raise InputError(f"{name} is empty: {array.shape}")
    return float_pixels(array[:, :, :3], name)
