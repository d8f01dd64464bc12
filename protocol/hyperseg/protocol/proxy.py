"""The proxy scale: the fraction of a frame's resolution the network runs at."""

from __future__ import annotations

import math

from hyperseg.protocol.errors import InputError

#: Below this a frame of any size shrinks to a few pixels and the cues are meaningless.
MIN_PROXY = 0.05
#: The fewest pixels per side the network can run on (its image gradients need two).
MIN_RUN_PIXELS = 2


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


def model_proxy(width: int, height: int, run_pixels: int) -> float:
    """The proxy a model runs a ``width`` x ``height`` frame at when the caller names none.

    A model trained at one resolution answers best near it: ``run_pixels`` (the model config's)
    is that resolution's pixel count, and the frame is scaled to it, never up. 0 means full
    resolution. For 640x360 = 230,400 pixels a 854x480 frame runs at 0.75, a 2048x1152 plate at 0.31.
    """
    if run_pixels <= 0:
        return 1.0
    return max(MIN_PROXY, min(1.0, math.sqrt(run_pixels / (width * height))))


def proxy_label(proxy: float | None) -> str:
    """How a proxy setting reads in reports: the scale, or "the model's own" when none was named."""
    return "the model's own" if proxy is None else f"{proxy:g}"


def proxy_size(width: int, height: int, scale: float) -> tuple[int, int]:
    """(width, height) of a frame at ``scale``, rounded, at least one pixel each."""
    return max(1, round(width * scale)), max(1, round(height * scale))


def check_run_size(width: int, height: int, scale: float) -> tuple[int, int]:
    """The size a ``width`` x ``height`` frame runs at, or InputError if a side is too small for the network."""
    run = proxy_size(width, height, scale)
    if min(run) < MIN_RUN_PIXELS:
        raise InputError(
            f"at proxy {scale:g} the {width}x{height} frame runs at {run[0]}x{run[1]} pixels; the network"
            f" needs at least {MIN_RUN_PIXELS} per side: raise the proxy or send a larger frame"
        )
    return run
