"""Turn a decoded plane (any channels) into the (H, W, 3) float32 RGB the model takes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hyperseg.protocol.errors import InputError
from hyperseg.protocol.frame_values import float_pixels

CHANNEL_ALIASES = {"r": "R", "red": "R", "g": "G", "green": "G", "b": "B", "blue": "B"}


def rgb_from_plane(pixels: np.ndarray, channel_names: Sequence[str], source: str) -> np.ndarray:
    """Select R, G and B by name (``R``, ``rgba.red``, ... ; one channel is read as grey).

    Non-finite samples, and values that look like 0-255 stored as floats
    (``hyperseg.protocol.frame_values``), are an InputError naming ``source``; scene-linear values
    outside [0, 1] are clipped to it, the range the network takes.
    """
    names = [name.rsplit(".", 1)[-1].lower() for name in channel_names]
    if len(names) == 1:
        rgb = np.repeat(pixels[:, :, :1], 3, axis=2)
    else:
        found = {CHANNEL_ALIASES[n]: i for i, n in reversed(list(enumerate(names))) if n in CHANNEL_ALIASES}
        if set(found) != {"R", "G", "B"}:
            raise InputError(
                f"{source} has channels {list(channel_names)}; need R, G and B (or a single grey channel)"
            )
        rgb = pixels[:, :, [found["R"], found["G"], found["B"]]]
    rgb = float_pixels(rgb, source)
    finite = np.isfinite(rgb)
    if not finite.all():
        bad = np.argwhere(~finite.all(axis=2))
        y, x = (int(v) for v in bad[0])
        raise InputError(
            f"{source} has {len(bad)} pixels with NaN or infinite values (first at x={x}, y={y})"
        )
    rgb = np.clip(rgb, 0.0, 1.0)
    rgb.setflags(write=False)
    return rgb
