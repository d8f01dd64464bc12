"""SegmentRange with propagation: the request's clicks tracked through its frames, here on the daemon.

The host side (the Nuke node, ``hyperseg.plugin.Client``) stays free of torch and OpenCV, so the
tracking (``hyperseg.model.propagation``) runs in the daemon, on each frame's display window, in
the handler's thread (OpenCV releases the GIL; the model worker is not held up). Tracking depends
only on the request's frames and the clicks' keys, so a request whose frames reach back to the
range's first frame (forward; to its last, backward) tracks exactly as one request over the whole
range: ranges split into requests stay independent and resumable, as ``hyperseg batch`` chunks do.

Forward (``ForwardRange``), tracking and segmentation take turns, each frame's alpha re-seeding a
lost positive click on the next (``TrackerConfig.reseed``); the servicer segments the propagation
frames before the request's last item that are not items too (unreplied, each with its
``TrackFrame.previous``, which must be its item's where it has one), so a request that reaches back
to the range's first frame gets exactly one request's clicks and pixels, at the cost of
segmenting those frames again.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cachetools import LRUCache

from hyperseg.daemon.frame_store import StoredFrame
from hyperseg.imageio import rewindow
from hyperseg.protocol.clicktracks import ClickSwitchOff, ClickTrack, ClickTracks
from hyperseg.protocol.errors import InputError, LimitExceededError
from hyperseg.protocol.wire_enums import DIRECTION_NAMES, DIRECTIONS, SIGN_NAMES, SIGNS
from hyperseg.v1 import hyperseg_pb2 as pb


@dataclass(frozen=True)
class TrackedRange:
    """The clicks tracked through a request's frames, and every switch-off by frame."""

    tracks: ClickTracks
    switched_off: list[ClickSwitchOff]
    seconds: float

    def clicks_on(self, frame: int) -> tuple[list[pb.Point], list[pb.Point]]:
        """(positive, negative) points on ``frame``; both empty where every click is off."""
        positive, negative = self.tracks.at(frame)
        return ([pb.Point(x=x, y=y) for x, y in positive], [pb.Point(x=x, y=y) for x, y in negative])

    def fill(self, reply: pb.SegmentReply, frame: int, first: bool) -> None:
        """Put ``frame``'s click positions and switch-offs (and on the first reply, the tracking time) in ``reply``."""
        for track in self.tracks.tracks:
            clicked = reply.clicks.add(id=track.id, sign=SIGNS[track.sign])
            position = track.position(frame)
            if position is not None:
                clicked.position.x, clicked.position.y = position
        for event in self.switched_off:
            if event.frame == frame:
                reply.switched_off.add(click=event.click, direction=DIRECTIONS[event.direction],
                                       reason=event.reason)
        reply.timings.track_ms = self.seconds * 1000 if first else 0.0


def track_range(propagation: pb.Propagation, items: Sequence[pb.SegmentRangeItem],
                frame_of: Callable[[pb.FrameRef, str], StoredFrame], max_frames: int,
                max_clicks: int) -> TrackedRange:
    """The request's clicks followed through ``propagation.frames`` as its direction says (backward or
    both: the whole range first, without re-seeding); the items checked against those frames first."""
    from hyperseg.model.propagation.click_propagation import propagate_clicks  # the model package loads torch

    tracks, refs, rgb_of = _checked(propagation, items, frame_of, max_frames, max_clicks)
    started = time.perf_counter()
    result = propagate_clicks(tracks, list(refs), rgb_of, DIRECTION_NAMES[propagation.direction])
    return TrackedRange(result.tracks, result.switched_off, time.perf_counter() - started)


def is_forward(propagation: pb.Propagation) -> bool:
    return DIRECTION_NAMES.get(propagation.direction) == "forward"


class ForwardRange:
    """A forward propagation stepped with segmentation: ``step`` each of ``frames`` in order, then
    tell it that frame's alpha (``segmented``) so a lost positive click is re-seeded from it
    (``hyperseg.model.propagation``'s ``TrackingPass``, as ``hyperseg batch`` and eval run it)."""

    def __init__(self, propagation: pb.Propagation, items: Sequence[pb.SegmentRangeItem],
                 frame_of: Callable[[pb.FrameRef, str], StoredFrame], max_frames: int, max_clicks: int,
                 options_key: bytes) -> None:
        from hyperseg.model.propagation.click_propagation import TrackingPass, checked_frames, stepping_grays

        tracks, self.frames, rgb_of = _checked(propagation, items, frame_of, max_frames, max_clicks)
        self._numbers = checked_frames(self.frames)  # the frame numbers in order, once
        self._gray = stepping_grays(rgb_of)
        self._pass = TrackingPass(tracks, self._gray, "forward")
        self._stepped: list[int] = []
        self.seconds = 0.0
        self._keys = _prefix_keys(propagation, options_key)

    def resume(self, states: ForwardStates, before: int) -> int:
        """Pick up where an earlier request over the same range stopped, at its latest frame before
        ``before`` (a frame this request must reply for); the number of frames that skips."""
        for index in range(len(self._keys) - 1, -1, -1):
            if self._numbers[index] >= before:
                continue
            found = states.get(self._keys[index])
            if found is not None:
                tracking, stepped = found
                self._pass, self._stepped = tracking.resumed(self._gray), list(stepped)
                return index + 1
        return 0

    def keep(self, states: ForwardStates) -> None:
        """Where this request stopped, for a later request that goes on from there (``resume``)."""
        if self._stepped:
            index = self._numbers.index(self._stepped[-1])
            states.put(self._keys[index], self._pass.resumed(_no_frames), list(self._stepped))

    def step(self, frame: int) -> tuple[list[pb.Point], list[pb.Point]]:
        started = time.perf_counter()
        positive, negative = self._pass.step(frame)
        self._stepped.append(frame)
        self.seconds += time.perf_counter() - started
        return ([pb.Point(x=x, y=y) for x, y in positive], [pb.Point(x=x, y=y) for x, y in negative])

    def segmented(self, alpha) -> None:
        started = time.perf_counter()
        self._pass.segmented(alpha)
        self.seconds += time.perf_counter() - started

    def tracked(self) -> TrackedRange:
        """The clicks so far, re-seeded ones included, as ``TrackedRange`` fills replies with them."""
        result = self._pass.result(self._stepped)
        return TrackedRange(result.tracks, result.switched_off, self.seconds)


class ForwardStates:
    """Where forward ranges stopped (``ForwardRange.keep``), the latest ``capacity`` of them, keyed by
    everything that decided them: the clicks, the segmentation options and every propagation frame
    (with its previous) up to there. A request that goes on with the same range starts from there
    instead of segmenting the frames before it again; what it computes is the same either way."""

    def __init__(self, capacity: int = 32) -> None:
        self.capacity = capacity
        self._states: LRUCache[bytes, tuple] = LRUCache(maxsize=capacity)  # cachetools: order and eviction
        self._lock = threading.Lock()

    def get(self, key: bytes):
        with self._lock:
            return self._states.get(key)

    def put(self, key: bytes, tracking, stepped: list[int]) -> None:
        with self._lock:
            self._states[key] = (tracking, stepped)


def _prefix_keys(propagation: pb.Propagation, options_key: bytes) -> list[bytes]:
    """For each propagation frame, a digest of the clicks, ``options_key`` and the frames up to it."""
    digest = hashlib.sha256(options_key)
    for click in propagation.clicks:
        digest.update(click.SerializeToString(deterministic=True))
    keys = []
    for entry in propagation.frames:
        digest.update(entry.SerializeToString(deterministic=True))
        keys.append(digest.copy().digest())
    return keys


def _no_frames(frame: int):
    raise AssertionError(f"a kept forward range read frame {frame} before it was resumed")


def _checked(propagation: pb.Propagation, items: Sequence[pb.SegmentRangeItem],
             frame_of: Callable[[pb.FrameRef, str], StoredFrame], max_frames: int, max_clicks: int):
    """The request's tracks, its propagation frames by number (in order) and their display-window RGB."""
    if propagation.direction not in DIRECTION_NAMES:
        raise InputError(f"propagation direction {propagation.direction} is not FORWARD, BACKWARD or BOTH")
    if len(propagation.frames) > max_frames:
        raise LimitExceededError(f"{len(propagation.frames)} frames to track through, over this daemon's limit"
                                 f" of {max_frames}: split the range")
    if len(propagation.clicks) > max_clicks:
        raise LimitExceededError(f"{len(propagation.clicks)} clicks to track, over this daemon's limit of {max_clicks}")
    refs = {}
    for entry in propagation.frames:
        if entry.frame_number in refs:
            raise InputError(f"propagation frame {entry.frame_number} is listed twice")
        refs[entry.frame_number] = entry
    _check_items(items, refs)
    tracks = ClickTracks([_track(click) for click in propagation.clicks])
    if not tracks.tracks:
        raise InputError("propagation has no clicks: give at least one click with a key")

    def rgb_of(frame: int):
        stored = frame_of(refs[frame].frame, f"propagation frame {frame}")
        return rewindow(stored.rgb, stored.data_window, stored.display_window)

    return tracks, refs, rgb_of


def _check_items(items: Sequence[pb.SegmentRangeItem], refs: dict[int, pb.TrackFrame]) -> None:
    for index, item in enumerate(items):
        if not item.HasField("frame_number"):
            raise InputError(f"item {index}: with propagation every item needs its frame_number")
        label = f"frame {item.frame_number}"
        if item.positive or item.negative:
            raise InputError(f"{label}: with propagation the clicks come from the tracks; send none on the item")
        if item.frame_number not in refs:
            raise InputError(f"{label} is not among the propagation frames")
        if refs[item.frame_number].frame != item.frame:
            raise InputError(f"{label}: the item's frame is not the propagation frame of that number")
        if refs[item.frame_number].HasField("previous") != item.HasField("previous") or (
                item.HasField("previous") and refs[item.frame_number].previous != item.previous):
            raise InputError(f"{label}: the item's previous frame is not the propagation frame's previous")


def _track(click: pb.ClickTrack) -> ClickTrack:
    where = f"click {click.id!r}"
    if click.sign not in SIGN_NAMES:
        raise InputError(f"{where}: sign must be POSITIVE or NEGATIVE")
    keys = {}
    for key in click.keys:
        if not key.HasField("position"):
            raise InputError(f"{where}: key on frame {key.frame} has no position")
        if key.frame in keys:
            raise InputError(f"{where}: two keys on frame {key.frame}")
        keys[key.frame] = (key.position.x, key.position.y)
    return ClickTrack(click.id, SIGN_NAMES[click.sign], keys, [(span.first, span.last) for span in click.off])
