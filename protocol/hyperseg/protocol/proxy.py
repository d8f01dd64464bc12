"""The proxy scale: the fraction of a frame's resolution the network runs at."""

from __future__ import annotations

import math

from hyperseg.protocol.errors import InputError

#: Below this a frame of any size shrinks to a few pixels and the cues are meaningless.
MIN_PROXY = 0.05


def check_proxy(value: object) -> float:
    """``value`` as a proxy scale in [MIN_PROXY, 1], or InputError naming it."""
    if isinstance(value, bool):
        raise InputError(f"proxy must be a scale in [{MIN_PROXY}, 1], got {value!r}")
    try:
        scale = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"proxy must be a scale in [{MIN_PROXY}, 1], got {value!r}") from None
    if not (math.isfinite(scale) and MIN_PROXY <= scale <= 1.0):
        raise InputError(f"proxy must be a scale in [{MIN_PROXY}, 1], got {value!r}")
    return scale


def proxy_size(width: int, height: int, scale: float) -> tuple[int, int]:
    """(width, height) of a frame at ``scale``, rounded, at least one pixel each."""
    return max(1, round(width * scale)), max(1, round(height * scale))
