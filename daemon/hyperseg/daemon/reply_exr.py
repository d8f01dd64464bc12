"""The EXR a Segment reply carries: the chosen hypothesis in A, optionally all of them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hyperseg.daemon.frame_store import StoredFrame
from hyperseg.imageio import Window, encode_alpha_exr
from hyperseg.protocol.alpha_exr import alpha_metadata


def to_data_window(planes: np.ndarray, display: Window, data: Window) -> np.ndarray:
    """Re-window (..., H, W) planes over ``display`` onto ``data``; pixels outside ``display`` are 0."""
    if display == data:
        return planes
    out = np.zeros((*planes.shape[:-2], data.height, data.width), dtype=planes.dtype)
    x0, x1 = max(data.x, display.x), min(data.x + data.width, display.x + display.width)
    y0, y1 = max(data.y, display.y), min(data.y + data.height, display.y + display.height)
    if x0 < x1 and y0 < y1:
        out[..., y0 - data.y : y1 - data.y, x0 - data.x : x1 - data.x] = planes[
            ..., y0 - display.y : y1 - display.y, x0 - display.x : x1 - display.x
        ]
    return out


def encode_reply_exr(
    masks: np.ndarray,
    chosen: int,
    all_hypotheses: bool,
    frame: StoredFrame,
    *,
    frame_number: int | None,
    positive: Sequence[tuple[float, float]],
    negative: Sequence[tuple[float, float]],
    checkpoint_id: str,
) -> bytes:
    """EXR bytes for ``masks`` (M, H, W) over ``frame``'s display window, windows preserved."""
    planes = to_data_window(np.asarray(masks, dtype=np.float32), frame.display_window, frame.data_window)
    metadata = alpha_metadata(positive=positive, negative=negative, checkpoint=checkpoint_id, frame=frame_number)
    return encode_alpha_exr(
        planes[chosen],
        hypotheses=planes if all_hypotheses else None,
        display_window=frame.display_window,
        data_window=frame.data_window,
        metadata=metadata,
    )
