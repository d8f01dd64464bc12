"""Click points as a node's XY knobs: keys on the knobs are click tracks (DESIGN.md).

Each click is an animated ``XY_Knob`` named by its id (``p1``, ``n1``, ...) in Nuke coordinates,
plus a ``<id>_off`` text knob of frames where it is switched off (``1020-1030,1040``). Keys made
here (a new point, an imported ``clicks.json``) are linear, as clicks.json's are; the artist may
then change their interpolation, write an expression or link the knob to a Tracker. Whatever the
knob holds, :func:`read_tracks` asks Nuke where the point is on each frame (``getValueAt``), so
what is sent and exported is what the viewer shows.
A hidden ``points`` knob lists the ids and signs in order. Main thread only, like every Nuke call.

Tracking ("track points") writes a key on every frame it carried a point to, so the knob alone no
longer tells the artist's keys from the tracked ones: a hidden ``tracking`` knob records, per
tracked point, the frames the artist keyed and the off frames the artist set. Tracking again
starts from those keys, plus every frame the artist has moved the point on since
(:func:`add_artist_key`): a correction becomes a key and tracking restarts from it. A point that
tracking re-seeded from the mask (``<id>_r<frame>``) becomes a new positive point, keyed from its
first frame and off before it.
"""

from __future__ import annotations

import json
import re

import nuke

from hyperseg.protocol.clicktracks import ClickTrack, ClickTracks
from hyperseg.protocol.errors import InputError
from hyperseg.protocol.framerange import format_frame_range, parse_frame_range

REGISTRY = "points"
TRACKING = "tracking"
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PREFIX = {"positive": "p", "negative": "n"}


def registry(node) -> list[tuple[str, str]]:
    """[(id, sign), ...] of the node's points, in the order they were added."""
    text = node[REGISTRY].value()
    return [(entry[0], entry[1]) for entry in json.loads(text)] if text else []


def _set_registry(node, entries: list[tuple[str, str]]) -> None:
    node[REGISTRY].setValue(json.dumps([list(e) for e in entries]))


def read_tracks(node, frames: list[int]) -> ClickTracks:
    """The node's points as click tracks in Nuke coordinates (y up), evaluated by Nuke on each of ``frames``.

    An animated point (keys of any interpolation, an expression, a link) gets a key on every one of
    ``frames``; a still point one key, which holds everywhere."""
    tracks = []
    for point_id, sign in registry(node):
        knob = node.knob(point_id)
        if knob is None:
            continue
        moving = knob.isAnimated() or knob.hasExpression()
        keys = {f: (knob.getValueAt(f, 0), knob.getValueAt(f, 1)) for f in (frames if moving else frames[:1])}
        tracks.append(ClickTrack(point_id, sign, keys, parse_off(node[f"{point_id}_off"].value(), point_id)))
    return ClickTracks(tracks)


def read_anchors(node, frames: list[int]) -> ClickTracks:
    """The node's points keyed only on the artist's key frames (Nuke coordinates): what tracking starts from.

    A point tracked before: the key frames recorded then and since (:func:`add_artist_key`), with the
    off frames the artist set. Otherwise its curves' key frames, every one of ``frames`` for an
    expression or a link (Nuke already moves it), one key on the first frame for a still point."""
    recorded = _tracking(node)
    tracks = []
    for point_id, sign in registry(node):
        knob = node.knob(point_id)
        if knob is None:
            continue
        off = parse_off(node[f"{point_id}_off"].value(), point_id)
        if point_id in recorded:
            key_frames = recorded[point_id]["keys"]
            off = [(start, end) for start, end in recorded[point_id]["off"]]
        elif knob.hasExpression():
            key_frames = frames
        elif knob.isAnimated():
            curves = [knob.animation(index) for index in (0, 1)]
            animation_keys = [curve.keys() for curve in curves if curve is not None]
            key_frames = sorted({round(key.x) for keys in animation_keys for key in keys})
        else:
            key_frames = frames[:1]
        keys = {f: (knob.getValueAt(f, 0), knob.getValueAt(f, 1)) for f in key_frames}
        tracks.append(ClickTrack(point_id, sign, keys, off))
    return ClickTracks(tracks)


def write_tracked(node, anchors: ClickTracks, positions: dict[int, dict[str, tuple[float, float] | None]]) -> None:
    """Tracked ``positions`` (Nuke coordinates, per frame and point; None: off) written back as linear
    keys and off frames, and ``anchors`` recorded as the artist's keys and off frames. The artist's
    own keys are left as they are; a point with an expression or a link is Nuke's to move."""
    recorded = _tracking(node)
    for track in anchors.tracks:
        knob = node.knob(track.id)
        if knob.hasExpression():
            continue
        here = {frame: points[track.id] for frame, points in positions.items()}
        tracked = {f: p for f, p in here.items() if p is not None and f not in track.keys}
        if not knob.isAnimated():
            now = nuke.frame()
            knob.setAnimated()  # a key on the current frame, holding the still point's value
            if now not in tracked and now not in track.keys:
                knob.removeKeyAt(now, 0)
                knob.removeKeyAt(now, 1)
            for frame, (x, y) in track.keys.items():
                knob.setValueAt(x, frame, 0)
                knob.setValueAt(y, frame, 1)
        for frame, (x, y) in tracked.items():
            knob.setValueAt(x, frame, 0)
            knob.setValueAt(y, frame, 1)
        for index in (0, 1):
            curve = knob.animation(index)
            animation_keys = curve.keys()
            curve.changeInterpolation([key for key in animation_keys if round(key.x) in tracked], nuke.LINEAR)
        node[f"{track.id}_off"].setValue(format_off(track.rekeyed(here).off))
        recorded[track.id] = {"keys": sorted(track.keys), "off": [list(span) for span in track.off]}
    _add_reseeded(node, anchors, positions, recorded)
    node[TRACKING].setValue(json.dumps(recorded, sort_keys=True))


def _add_reseeded(node, anchors: ClickTracks, positions: dict[int, dict[str, tuple[float, float] | None]],
                  recorded: dict) -> None:
    """Points tracking re-seeded (ids not among ``anchors``, always positive) become new points keyed on
    every frame they were on, off before their first; that first frame goes into ``recorded`` as their
    one key, so tracking again starts them there."""
    known = {track.id for track in anchors.tracks} | {point_id for point_id, _ in registry(node)}
    frames = sorted(positions)
    for point_id in dict.fromkeys(p for points in positions.values() for p in points if p not in known):
        here = {f: positions[f].get(point_id) for f in frames}
        keys = {f: p for f, p in here.items() if p is not None}
        if not keys:
            continue
        first = min(keys)
        off = ClickTrack(point_id, "positive", keys).rekeyed({f: p for f, p in here.items() if p is None}).off
        before = [(frames[0], first - 1)] if first > frames[0] else []
        add_track(node, ClickTrack(point_id, "positive", keys, [*before, *off]))
        recorded[point_id] = {"keys": [first], "off": [list(span) for span in before]}


def add_artist_key(node, point_id: str, frame: int) -> bool:
    """The artist moved tracked point ``point_id`` on ``frame``: that frame becomes one of its keys.
    False for a point never tracked (all its keys are the artist's anyway)."""
    recorded = _tracking(node)
    if point_id not in recorded:
        return False
    recorded[point_id]["keys"] = sorted({*recorded[point_id]["keys"], frame})
    node[TRACKING].setValue(json.dumps(recorded, sort_keys=True))
    return True


def set_artist_off(node, point_id: str) -> None:
    """The artist edited a tracked point's off frames: what the knob now says is the artist's."""
    recorded = _tracking(node)
    if point_id in recorded:
        recorded[point_id]["off"] = [list(span) for span in parse_off(node[f"{point_id}_off"].value(), point_id)]
        node[TRACKING].setValue(json.dumps(recorded, sort_keys=True))


def _tracking(node) -> dict:
    knob = node.knob(TRACKING)
    text = knob.value() if knob is not None else ""
    return json.loads(text) if text else {}


def add_point(node, sign: str, position: tuple[float, float], frame: int) -> str:
    """A new click of ``sign`` keyed at ``frame``; returns its id (next free p<N> / n<N>)."""
    taken = {point_id for point_id, _ in registry(node)}
    number = 1
    while f"{PREFIX[sign]}{number}" in taken:
        number += 1
    point_id = f"{PREFIX[sign]}{number}"
    add_track(node, ClickTrack(point_id, sign, {frame: position}))
    return point_id


def add_track(node, track: ClickTrack) -> None:
    """Create the knobs of one click track (Nuke coordinates)."""
    if not _ID.match(track.id) or node.knob(track.id) is not None:
        raise InputError(
            f"click id {track.id!r} cannot name a knob on {node.name()}: use letters, digits and _, "
            "not starting with a digit, and not the name of an existing knob"
        )
    knob = nuke.XY_Knob(track.id, f"{track.id} ({track.sign})")
    node.addKnob(knob)
    off = nuke.String_Knob(f"{track.id}_off", "off frames", format_off(track.off))
    off.setTooltip("frames where this click is switched off, e.g. 1020-1030,1040")
    node.addKnob(off)
    _key_track(knob, track)
    _set_registry(node, [*registry(node), (track.id, track.sign)])


def _key_track(knob, track: ClickTrack) -> None:
    here = nuke.frame()
    knob.setValue(list(track.position(here) or next(iter(track.keys.values()))))
    knob.setAnimated()
    for frame, (x, y) in track.keys.items():
        knob.setValueAt(x, frame, 0)
        knob.setValueAt(y, frame, 1)
    if here not in track.keys:
        knob.removeKeyAt(here, 0)
        knob.removeKeyAt(here, 1)
    for index in (0, 1):
        curve = knob.animation(index)
        curve.changeInterpolation(curve.keys(), nuke.LINEAR)


def remove_point(node, point_id: str) -> None:
    entries = registry(node)
    if point_id not in {e[0] for e in entries}:
        raise InputError(f"no point {point_id!r} on {node.name()}")
    for name in (point_id, f"{point_id}_off"):
        knob = node.knob(name)
        if knob is not None:
            node.removeKnob(knob)
    _set_registry(node, [e for e in entries if e[0] != point_id])
    recorded = _tracking(node)
    if recorded.pop(point_id, None) is not None:
        node[TRACKING].setValue(json.dumps(recorded, sort_keys=True))


def replace_tracks(node, tracks: ClickTracks) -> None:
    """Remove every point and create ``tracks`` (Nuke coordinates) instead."""
    for point_id, _ in registry(node):
        remove_point(node, point_id)
    for track in tracks.tracks:
        add_track(node, track)


def format_off(ranges: list[tuple[int, int]]) -> str:
    frames = [f for start, end in ranges for f in range(start, end + 1)]
    return format_frame_range(frames) if frames else ""


def parse_off(text: str, point_id: str) -> list[tuple[int, int]]:
    """'1020-1030,1040' -> [(1020, 1030), (1040, 1040)]: runs of consecutive frames."""
    if not text.strip():
        return []
    try:
        frames = parse_frame_range(text)
    except InputError as error:
        raise InputError(f"off frames of point {point_id}: {error}") from None
    runs: list[tuple[int, int]] = []
    for frame in frames:
        if runs and frame == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], frame)
        else:
            runs.append((frame, frame))
    return runs
