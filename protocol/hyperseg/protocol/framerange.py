"""Frame range specs as TDs type them: ``1001-1100``, ``1001-1100x2``, ``1001,1005,1010-1020``.

Parsed and written by fileseq's ``FrameSet``, as VFX pipelines do. A spec is comma-separated parts;
each part is a frame ``N``, a range ``A-B`` (inclusive) or a stepped range ``A-BxS`` (and fileseq's
``A-ByS``, every frame but the steps, and ``A-B:S``). Frames may be negative (``-5--1``). The
result is sorted and free of duplicates, the order a batch feeds previous-frame context in.
FrameSet alone also takes what a batch must refuse, each refused here with the part it is in (see
the tests): an empty part, a descending range, and a sub-frame such as ``1.5``.
"""

from __future__ import annotations

from collections.abc import Iterable

from fileseq import FrameSet, MaxSizeException, ParseException

from hyperseg.protocol.errors import InputError

EXPECTED = "expected N, A-B or A-BxS with a step S of at least 1 (e.g. 1001-1100x2)"
#: The most frames one spec may name (a shot is thousands; this refuses typos like 1-2000000000).
MAX_FRAMES = 1_000_000


def _too_many(spec: str) -> InputError:
    return InputError(f"frame range {spec!r} names more than {MAX_FRAMES} frames, the limit")


def _part_frames(part: str, spec: str, already: int) -> list[int]:
    """The frames of one comma-separated ``part`` of ``spec``, in the order FrameSet gives them.

    ``already`` frames were named by earlier parts; the total is checked before any list is built.
    """
    def bad(reason: str) -> InputError:
        return InputError(f"bad part {part!r} in frame range {spec!r}: {reason}")

    if not part:
        raise bad(EXPECTED)
    try:
        frameset = FrameSet(part)
    except MaxSizeException:
        raise _too_many(spec) from None
    except ParseException:
        raise bad(EXPECTED) from None
    if already + len(frameset) > MAX_FRAMES:
        raise _too_many(spec)
    frames = list(frameset)
    if any(frame != int(frame) for frame in frames):
        raise bad("frames are whole numbers")
    if len(frames) > 1 and frames[-1] < frames[0]:
        raise bad(f"the end {frames[-1]} is before the start {frames[0]}")
    return [int(frame) for frame in frames]


def parse_frame_range(spec: str) -> list[int]:
    """Frames named by ``spec``, sorted and unique; ``InputError`` names the first bad part."""
    if not isinstance(spec, str) or not spec.strip():
        raise InputError(
            f"empty frame range {spec!r}: expected e.g. '1001-1100', '1001-1100x2' or '1001,1005'"
        )
    frames: set[int] = set()
    for raw in spec.split(","):
        frames.update(_part_frames(raw.strip(), spec, len(frames)))
    return sorted(frames)


def format_frame_range(frames: Iterable[int]) -> str:
    """FrameSet's compact spec of ``frames``: runs and stepped runs, e.g. ``1001-1003,1005-1009x2``."""
    ordered = sorted(set(frames))
    if not ordered:
        raise InputError("cannot format an empty list of frames as a frame range")
    return FrameSet(ordered).frange


def chunk_frames(frames: Iterable[int], size: int) -> list[list[int]]:
    """Consecutive groups of at most ``size`` frames, in order (a farm task's share)."""
    if size < 1:
        raise InputError(f"chunk size must be at least 1, got {size}")
    ordered = sorted(set(frames))
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]
