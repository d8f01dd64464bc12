"""The EXR a Segment reply carries: the chosen hypothesis in A, optionally all of them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hyperseg.daemon.frame_store import StoredFrame
from hyperseg.imageio import encode_alpha_exr
from hyperseg.protocol.alpha_exr import alpha_metadata


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
    """EXR bytes for ``masks`` (M, H, W) over ``frame``'s data window, with its display window.

    ``positive`` and ``negative`` are the clicks as sent (display-window coordinates).
    """
    planes = np.asarray(masks, dtype=np.float32)
    metadata = alpha_metadata(positive=positive, negative=negative, checkpoint=checkpoint_id, frame=frame_number)
    return encode_alpha_exr(
        planes[chosen],
        hypotheses=planes if all_hypotheses else None,
        display_window=frame.display_window,
        data_window=frame.data_window,
        metadata=metadata,
    )
