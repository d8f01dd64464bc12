"""Frame range specs as TDs type them: ``1001-1100``, ``1001-1100x2``, ``1001,1005,1010-1020``.

A spec is comma-separated parts; each part is a frame ``N``, a range ``A-B`` (inclusive) or a
stepped range ``A-BxS``. Frames may be negative (``-5--1``). The result is sorted and free of
duplicates, the order a batch feeds previous-frame context in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hyperseg.protocol.errors import InputError

#: The most frames one spec may name (a shot is thousands; this refuses typos like 1-2000000000).
MAX_FRAMES = 1_000_000

_PART = re.compile(r"^(?P<start>-?\d+)(?:-(?P<end>-?\d+)(?:x(?P<step>\d+))?)?$")


def parse_frame_range(spec: str) -> list[int]:
    """Frames named by ``spec``, sorted and unique; ``InputError`` names the first bad part."""
    if not isinstance(spec, str) or not spec.strip():
        raise InputError(
            f"empty frame range {spec!r}: expected e.g. '1001-1100', '1001-1100x2' or '1001,1005'"
        )
    frames: set[int] = set()
    for raw in spec.split(","):
        part = raw.strip()
        match = _PART.match(part)
        if match is None:
            raise InputError(
                f"bad part {part!r} in frame range {spec!r}: expected N, A-B or A-BxS (e.g. 1001-1100x2)"
            )
        start = int(match["start"])
        if match["end"] is None:
            frames.add(start)
            continue
        end = int(match["end"])
        step = int(match["step"]) if match["step"] is not None else 1
        if end < start:
            raise InputError(
                f"bad part {part!r} in frame range {spec!r}: the end {end} is before the start {start}"
            )
        if step < 1:
            raise InputError(f"bad part {part!r} in frame range {spec!r}: the step must be at least 1")
        count = (end - start) // step + 1
        if len(frames) + count > MAX_FRAMES:
            raise InputError(
                f"frame range {spec!r} names {len(frames) + count} frames or more, over the limit of {MAX_FRAMES}"
            )
        frames.update(range(start, end + 1, step))
    return sorted(frames)


def format_frame_range(frames: Iterable[int]) -> str:
    """The shortest comma-separated spec of runs of consecutive frames, e.g. ``1001-1003,1005``."""
    ordered = sorted(set(frames))
    if not ordered:
        raise InputError("cannot format an empty list of frames as a frame range")
    parts: list[str] = []
    run_start = previous = ordered[0]
    for frame in [*ordered[1:], None]:
        if frame is not None and frame == previous + 1:
            previous = frame
            continue
        parts.append(str(run_start) if run_start == previous else f"{run_start}-{previous}")
        if frame is not None:
            run_start = previous = frame
    return ",".join(parts)


def chunk_frames(frames: Iterable[int], size: int) -> list[list[int]]:
    """Consecutive groups of at most ``size`` frames, in order (a farm task's share)."""
    if size < 1:
        raise InputError(f"chunk size must be at least 1, got {size}")
    ordered = sorted(set(frames))
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]
