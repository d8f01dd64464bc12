"""Clicks propagated through a frame range from their key frames, written back as keys.

Each click is tracked from its own keys (its *anchors*: the key frames inside the range), step by
step through the range's frames in order (``PointTracker.step`` between consecutive frames of
the range):

- ``forward``: from each anchor to the frame before the next one; the range's first frame is an
  anchor too, holding the click where its curve puts it there.
- ``backward``: the same from each anchor towards the previous one; the last frame is an anchor.
- ``both``: between two anchors a < t < b the forward track from a and the backward track from b
  are blended linearly, (b - t) / (b - a) of the forward one, so a correction key pulls the
  path on both sides of it; before the first anchor only the backward track counts, after the
  last only the forward one.

A click that its tracker stops trusting switches off from that frame until the next anchor in the
direction of travel (where only one direction of ``both`` fails, the other one carries it), and a
:class:`ClickSwitchOff` says why. The result is the same clicks with a key on every frame of the range
where they are on and ``off`` ranges where they switched off (their own off ranges kept), so the
tracked ``clicks.json``, the node's points and the segmentations agree.

Tracking depends only on the images and the anchors, never on a segmentation, so any part of the
range (a farm chunk) gets exactly the positions of a run over the whole range.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from hyperseg.model.propagation.point_tracker import PointTracker, to_gray
from hyperseg.protocol.clicks import Point
from hyperseg.protocol.clicktracks import PROPAGATION_DIRECTIONS, ClickSwitchOff, ClickTrack, ClickTracks
from hyperseg.protocol.errors import InputError


@dataclass
class PropagatedClicks:
    """The tracked clicks and every switch-off, in frame order."""

    tracks: ClickTracks
    switched_off: list[ClickSwitchOff] = field(default_factory=list)


def propagate_clicks(tracks: ClickTracks, frames: Sequence[int], rgb_of: Callable[[int], np.ndarray],
                     direction: str = "forward", tracker: PointTracker | None = None) -> PropagatedClicks:
    """``tracks`` followed through ``frames`` (in order) on the images ``rgb_of(frame)`` returns."""
    if direction not in PROPAGATION_DIRECTIONS:
        raise InputError(f"propagation direction {direction!r} is not one of {', '.join(PROPAGATION_DIRECTIONS)}")
    frames = list(frames)
    if not frames:
        raise InputError("propagation needs at least one frame")
    if frames != sorted(set(frames)):
        raise InputError("propagation frames must be in increasing order, each once")
    tracker = tracker or PointTracker()
    grays: dict[int, np.ndarray] = {}

    def gray(frame: int) -> np.ndarray:
        if frame not in grays:
            grays[frame] = to_gray(rgb_of(frame))
        return grays[frame]

    switched: list[ClickSwitchOff] = []
    forward = backward = None
    if direction in ("forward", "both"):
        forward = _track_pass(tracks, frames, gray, tracker, "forward", switched)
    if direction in ("backward", "both"):
        backward = _track_pass(tracks, frames[::-1], gray, tracker, "backward", switched)
    out = []
    for index, track in enumerate(tracks.tracks):
        anchors = [f for f in frames if f in track.keys]
        positions = {}
        for t in frames:
            if direction == "forward":
                positions[t] = forward[index][t]
            elif direction == "backward":
                positions[t] = backward[index][t]
            else:
                positions[t] = _blend(t, anchors, forward[index][t], backward[index][t])
        out.append(track.rekeyed(positions))
    switched.sort(key=lambda s: (frames.index(s.frame), s.click))
    return PropagatedClicks(ClickTracks(out), switched)


def _track_pass(tracks: ClickTracks, order: list[int], gray: Callable[[int], np.ndarray], tracker: PointTracker,
                direction: str, switched: list[ClickSwitchOff]) -> list[dict[int, Point | None]]:
    """Per click, its position on each frame of ``order`` tracked in that order from its anchors."""
    first = order[0]
    current: list[Point | None] = [track.keys.get(first, _curve(track, first)) for track in tracks.tracks]
    paths: list[dict[int, Point | None]] = [{first: p} for p in current]
    for previous, frame in itertools.pairwise(order):
        moving = [i for i, track in enumerate(tracks.tracks) if frame not in track.keys and current[i] is not None]
        if moving:
            stepped = tracker.step(gray(previous), gray(frame), [current[i] for i in moving])
            for i, result in zip(moving, stepped, strict=True):
                current[i] = result.position
                if result.position is None:
                    switched.append(ClickSwitchOff(tracks.tracks[i].id, frame, direction, result.reason or ""))
        for i, track in enumerate(tracks.tracks):
            if frame in track.keys:
                current[i] = track.keys[frame]
            paths[i][frame] = current[i]
    return paths


def _curve(track: ClickTrack, frame: int) -> Point:
    """Where the click's keys put it on ``frame``, ignoring its off ranges (tracking goes on through them)."""
    return ClickTrack(track.id, track.sign, track.keys).position(frame)  # type: ignore[return-value]


def _blend(frame: int, anchors: list[int], forward: Point | None, backward: Point | None) -> Point | None:
    """Forward and backward tracks of ``both`` mixed by where ``frame`` lies between its anchors."""
    before = [a for a in anchors if a <= frame]
    after = [a for a in anchors if a >= frame]
    if not after:
        return forward
    if not before:
        return backward
    a, b = before[-1], after[0]
    if a == b or backward is None:
        return forward
    if forward is None:
        return backward
    w = (frame - a) / (b - a)
    return (forward[0] * (1 - w) + backward[0] * w, forward[1] * (1 - w) + backward[1] * w)
