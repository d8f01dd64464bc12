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

A click that its tracker stops trusting (or, in a pass told each frame's mask, that lands more
than ``TrackerConfig.object_margin`` px on the wrong side of the previous mask moved by its
tracked motion: a positive click outside, a negative one inside) switches off from that frame
until the next anchor in the direction of travel (where only one direction of ``both`` fails, the
other one carries it), and a :class:`ClickSwitchOff` says why. The result is the same clicks with
a key on every frame of the range where they are on and ``off`` ranges where they switched off
(their own off ranges kept), so the tracked ``clicks.json``, the node's points and the
segmentations agree.

Re-seeding (``TrackerConfig.reseed``): a :class:`TrackingPass` that is told each frame's mask as
it goes (``segmented``), the way ``hyperseg batch --propagate``, SegmentRange and ``hyperseg eval
--video`` segment a forward range frame by frame, replaces lost positive clicks from that mask: on
a frame where a positive click that was on switches off (with ``"no positive click"``: and no
positive click is left on), a new positive click ``<id>_r<frame>`` (a name a Nuke knob can take;
``<id>`` is the artist's click it replaces, ``reseeded_root``) starts on the previous frame's mask
(``TrackerConfig.reseed_at``: at the point of its core nearest where the lost click was, for every
lost click, or at its deepest point, the interior pixel farthest from the contour, for the first)
moved by the mask's tracked motion (``PointTracker.region_motion``), is tracked on from there like
any click, and the switch-off's reason says so. Where the mask itself cannot be tracked (a cut) or is empty,
nothing is re-seeded and the reason says that; nor where a click re-seeded for the same artist's
click is already on (tracking the same points again keeps what the last pass re-seeded), nor where
a positive click is already on within ``TrackerConfig.support_radius`` of that start (two clicks
lost side by side get one replacement). Without
masks (``propagate_clicks``: tracking only, and ``backward``/``both``) nothing is re-seeded. With
masks the positions depend on the segmentations, so a farm chunk starts from its range's first
frame (``hyperseg.batch``), which gives exactly one run's clicks.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from hyperseg.model.propagation.point_tracker import PointTracker, to_gray
from hyperseg.protocol.clicks import Point
from hyperseg.protocol.clicktracks import PROPAGATION_DIRECTIONS, ClickSwitchOff, ClickTrack, ClickTracks
from hyperseg.protocol.errors import InputError

_RESEEDED = re.compile(r"^(.+)_r\d+(?:_\d+)?$")


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
    frames = checked_frames(frames)
    tracker = tracker or PointTracker()
    grays: dict[int, np.ndarray] = {}

    def gray(frame: int) -> np.ndarray:
        if frame not in grays:
            grays[frame] = to_gray(rgb_of(frame))
        return grays[frame]

    passes: dict[str, TrackingPass] = {}
    for name, order in (("forward", frames), ("backward", frames[::-1])):
        if direction in (name, "both"):
            passes[name] = TrackingPass(tracks, gray, name, tracker)
            for frame in order:
                passes[name].step(frame)
    if direction != "both":
        return passes[direction].result(frames)
    forward, backward = (passes[name].paths() for name in ("forward", "backward"))
    out = []
    for index, track in enumerate(tracks.tracks):
        anchors = [f for f in frames if f in track.keys]
        out.append(track.rekeyed({t: _blend(t, anchors, forward[index][t], backward[index][t]) for t in frames}))
    switched = [*passes["forward"].switched_off, *passes["backward"].switched_off]
    switched.sort(key=lambda s: (frames.index(s.frame), s.click))
    return PropagatedClicks(ClickTracks(out), switched)


class TrackingPass:
    """Clicks stepped through frames one at a time in the order given (``step``), from their anchors.

    ``step(frame)`` tracks every click from the previous step's frame (a click keyed on ``frame`` is
    put on its key) and returns ``frame``'s (positive, negative) points. Tell it the mask those
    points gave (``segmented``) before the next step and it re-seeds lost positive clicks from it
    (see the module docstring); ``add`` takes a click keyed later (a correction) before its frame.
    """

    def __init__(self, tracks: ClickTracks, gray_of: Callable[[int], np.ndarray], direction: str = "forward",
                 tracker: PointTracker | None = None) -> None:
        self.tracker = tracker or PointTracker()
        self.direction = direction
        self.switched_off: list[ClickSwitchOff] = []
        self._gray_of = gray_of
        self._tracks: list[ClickTrack] = []
        self._paths: list[dict[int, Point | None]] = []
        self._current: list[Point | None] = []
        self._frame: int | None = None
        self._mask: np.ndarray | None = None
        self._motion: tuple[tuple[int, int], tuple[float, float] | None] | None = None
        for track in tracks.tracks:
            self.add(track)

    def add(self, track: ClickTrack) -> None:
        """A click joins the pass: on the last stepped frame if it has a key there (a correction; ``clicks``
        then includes it), else on its first key a later step reaches."""
        if any(t.id == track.id for t in self._tracks):
            raise InputError(f"click id {track.id!r} is already being tracked")
        self._tracks.append(track)
        self._paths.append({})
        self._current.append(None)
        if self._frame is not None and self._frame in track.keys:
            self._current[-1] = self._paths[-1][self._frame] = track.keys[self._frame]

    def clicks(self) -> tuple[list[Point], list[Point]]:
        """(positive, negative) points on the last stepped frame."""
        return self._on(self._frame) if self._frame is not None else ([], [])

    def step(self, frame: int) -> tuple[list[Point], list[Point]]:
        previous = self._frame
        if previous is None:
            self._current = [track.keys.get(frame, _curve(track, frame)) for track in self._tracks]
            lost: list[int] = []
        else:
            lost = self._track(previous, frame)
        for i, track in enumerate(self._tracks):
            if frame in track.keys:
                self._current[i] = track.keys[frame]
        if lost and self._mask is not None and self.tracker.config.reseed != "never":
            self._reseed(previous, frame, lost)  # type: ignore[arg-type]
        for i, path in enumerate(self._paths):
            if self._current[i] is not None or path:
                path[frame] = self._current[i]
        self._frame, self._mask = frame, None
        return self._on(frame)

    def segmented(self, mask: np.ndarray) -> None:
        """The last stepped frame's mask (probability or bool, that frame's size), for re-seeding."""
        self._mask, self._motion = np.asarray(mask) > 0.5, None

    def resumed(self, gray_of: Callable[[int], np.ndarray]) -> TrackingPass:
        """An independent copy of this pass where it stands (clicks, positions, switch-offs, the last
        mask told), reading its frames from ``gray_of`` from now on."""
        source, self._gray_of = self._gray_of, None  # type: ignore[assignment]
        try:
            clone = copy.deepcopy(self)
        finally:
            self._gray_of = source
        clone._gray_of = gray_of
        return clone

    def paths(self) -> list[dict[int, Point | None]]:
        """Per click, its position (None: off) on every frame stepped since it started."""
        return [dict(path) for path in self._paths]

    def result(self, frames: Sequence[int]) -> PropagatedClicks:
        """The clicks with their tracked positions as keys on ``frames``, off where a click was lost or had
        not started yet (a re-seeded or added click, before its first frame)."""
        out = [track.rekeyed({f: path.get(f) for f in frames}) for track, path in zip(self._tracks, self._paths,
                                                                                       strict=True)]
        order = {f: i for i, f in enumerate(frames)}
        switched = sorted(self.switched_off, key=lambda s: (order.get(s.frame, len(order)), s.click))
        return PropagatedClicks(ClickTracks(out), switched)

    def _track(self, previous: int, frame: int) -> list[int]:
        """Every moving click tracked from ``previous`` to ``frame``; the indices of positive ones lost there
        (a click already off on ``frame``, by the artist or an earlier pass, is not lost again)."""
        moving = [i for i, track in enumerate(self._tracks) if frame not in track.keys and self._current[i] is not None]
        lost = []
        if moving:
            points = [self._current[i] for i in moving]
            positive = [self._tracks[i].sign == "positive" for i in moving]
            stepped = self.tracker.step(self._gray_of(previous), self._gray_of(frame), points,  # type: ignore[arg-type]
                                        self._mask, positive)
            reasons = {}
            for i, result in zip(moving, stepped, strict=True):
                self._current[i] = result.position
                if result.position is None:
                    reasons[i] = result.reason or ""
            if self._mask is not None and self.tracker.config.object_margin > 0:
                reasons.update(self._off_their_side(previous, frame, [i for i in moving if i not in reasons]))
            for i in sorted(reasons):
                self._current[i] = None
                self.switched_off.append(ClickSwitchOff(self._tracks[i].id, frame, self.direction, reasons[i]))
                if self._tracks[i].sign == "positive" and self._tracks[i].is_on(frame):
                    lost.append(i)
        return lost

    def _mask_motion(self, previous: int, frame: int) -> tuple[float, float] | None:
        """The last told mask's tracked motion from ``previous`` to ``frame`` (``region_motion``), once a step."""
        if self._motion is None or self._motion[0] != (previous, frame):
            motion = self.tracker.region_motion(self._gray_of(previous), self._gray_of(frame), self._mask)  # type: ignore[arg-type]
            self._motion = ((previous, frame), motion)
        return self._motion[1]

    def _off_their_side(self, previous: int, frame: int, tracked: list[int]) -> dict[int, str]:
        """Why each of the ``tracked`` clicks (indices) that landed more than ``object_margin`` px on the
        wrong side of ``previous``'s mask, moved by its tracked motion, switches off: a positive click
        outside it left its object, a negative one inside it was covered by the object."""
        motion = self._mask_motion(previous, frame)
        if motion is None or not tracked:
            return {}
        height, width = self._mask.shape  # type: ignore[union-attr]
        shift = np.float32([[1, 0, motion[0]], [0, 1, motion[1]]])
        moved = cv2.warpAffine(self._mask.astype(np.uint8), shift, (width, height), flags=cv2.INTER_NEAREST)  # type: ignore[union-attr]
        depth = {"negative": cv2.distanceTransform(moved, cv2.DIST_L2, 5),
                 "positive": cv2.distanceTransform(1 - moved, cv2.DIST_L2, 5)}
        reasons = {}
        for i in tracked:
            x, y = self._current[i]  # type: ignore[misc]
            sign = self._tracks[i].sign
            wrong = float(depth[sign][min(int(y), height - 1), min(int(x), width - 1)])
            if wrong > self.tracker.config.object_margin:
                what = "left its object" if sign == "positive" else "covered by the object"
                side = "outside" if sign == "positive" else "inside"
                reasons[i] = (f"{what}: {wrong:.1f} px {side} frame {previous}'s mask moved ({motion[0]:+.1f}, "
                              f"{motion[1]:+.1f}) px by its tracked motion")
        return reasons

    def _reseed(self, previous: int, frame: int, lost: list[int]) -> None:
        """New positive clicks from ``previous``'s mask for the ``lost`` ones (indices) on ``frame``:
        the first of them at the mask's deepest point, or each near where it was
        (``TrackerConfig.reseed_at``)."""
        config = self.tracker.config
        if config.reseed == "no positive click" and self._on(frame)[0]:
            return
        depth = cv2.distanceTransform(self._mask.astype(np.uint8), cv2.DIST_L2, 5)  # type: ignore[union-attr]
        near = config.reseed_at == "near the lost click"
        core = np.argwhere(depth >= max(1.0, config.reseed_core * float(depth.max()))) if near else None
        for i in lost if near else lost[:1]:
            event = next(e for e in reversed(self.switched_off) if e.click == self._tracks[i].id)
            note = self._reseed_one(previous, frame, event, depth, core, self._paths[i].get(previous))
            self.switched_off[self.switched_off.index(event)] = ClickSwitchOff(
                event.click, event.frame, event.direction, event.reason + note)

    def _reseed_one(self, previous: int, frame: int, event: ClickSwitchOff, depth: np.ndarray,
                    core: np.ndarray | None, was: Point | None) -> str:
        """Re-seed the click ``event`` switched off (at ``core``'s pixel nearest ``was``, or at ``depth``'s
        deepest pixel); the note its reason gains."""
        root = reseeded_root(event.click)
        standing = [t.id for t, point in zip(self._tracks, self._current, strict=True)
                    if point is not None and t.is_on(frame) and t.id != event.click and reseeded_root(t.id) == root]
        if standing:  # tracked again: the click re-seeded for it last time holds
            return f"; click {standing[0]!r} already replaces it"
        motion = self._mask_motion(previous, frame)
        height, width = depth.shape
        if core is not None and len(core) and was is not None:
            row, col = core[int(np.argmin((core[:, 0] + 0.5 - was[1]) ** 2 + (core[:, 1] + 0.5 - was[0]) ** 2))]
            place = f"the point of frame {previous}'s mask's core nearest where it was"
        else:
            row, col = np.unravel_index(int(depth.argmax()), depth.shape)
            place = f"the deepest point of frame {previous}'s mask"
        if depth.max() < 1:
            return f"; not re-seeded: frame {previous}'s mask is empty"
        if motion is None:
            return f"; not re-seeded: frame {previous}'s mask could not be tracked to frame {frame}"
        if not (0.0 <= col + 0.5 + motion[0] < width and 0.0 <= row + 0.5 + motion[1] < height):
            return f"; not re-seeded: frame {previous}'s mask moved out of the frame"
        (dx, dy), (x, y) = motion, (col + 0.5 + motion[0], row + 0.5 + motion[1])
        reach = self.tracker.config.support_radius
        there = [t.id for t, point in zip(self._tracks, self._current, strict=True)
                 if point is not None and t.sign == "positive" and t.is_on(frame)
                 and (point[0] - x) ** 2 + (point[1] - y) ** 2 <= reach**2]
        if there:
            return (f"; not re-seeded: click {there[0]!r} is on within {reach:g} px of ({x:.1f}, {y:.1f}), {place}, "
                    "moved by its tracked motion")
        click = self._new_id(root, frame)
        self._tracks.append(ClickTrack(click, "positive", {frame: (x, y)}))
        self._paths.append({})
        self._current.append((x, y))
        return (f"; re-seeded as click {click!r} at ({x:.1f}, {y:.1f}), {place}, moved ({dx:+.1f}, {dy:+.1f}) px "
                "by its tracked motion")

    def _new_id(self, root: str, frame: int) -> str:
        taken = {t.id for t in self._tracks}
        click, n = f"{root}_r{frame}", 1
        while click in taken:
            n += 1
            click = f"{root}_r{frame}_{n}"
        return click

    def _on(self, frame: int) -> tuple[list[Point], list[Point]]:
        positive: list[Point] = []
        negative: list[Point] = []
        for track, point in zip(self._tracks, self._current, strict=True):
            if point is not None and track.is_on(frame):
                (positive if track.sign == "positive" else negative).append(point)
        return positive, negative


def reseeded_root(click: str) -> str:
    """The id of the artist's click that re-seeded click ``click`` (``<root>_r<frame>[_<n>]``, maybe
    re-seeded again) first replaced; any other id is its own root."""
    while (match := _RESEEDED.match(click)) is not None:
        click = match[1]
    return click


def stepping_grays(rgb_of: Callable[[int], np.ndarray]) -> Callable[[int], np.ndarray]:
    """``to_gray(rgb_of(frame))`` for a :class:`TrackingPass` stepping frame by frame: a step compares
    two frames, so the two latest asked for are kept and the older one goes when a third comes."""
    grays: dict[int, np.ndarray] = {}

    def gray(frame: int) -> np.ndarray:
        if frame not in grays:
            if len(grays) > 1:
                del grays[next(iter(grays))]
            grays[frame] = to_gray(rgb_of(frame))
        return grays[frame]

    return gray


def checked_frames(frames: Sequence[int]) -> list[int]:
    """``frames`` as a list, refused unless non-empty and increasing."""
    frames = list(frames)
    if not frames:
        raise InputError("propagation needs at least one frame")
    if frames != sorted(set(frames)):
        raise InputError("propagation frames must be in increasing order, each once")
    return frames


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
