"""Click tracks for a shot: the ``clicks.json`` the Nuke node exports and ``hyperseg batch`` reads.

Each click has an id, a sign and keys ``{frame: (x, y)}`` in wire pixel coordinates (origin at
the top-left of the display window, y down, pixel centres at +0.5). Between keys a click moves
linearly, before its first key and after its last it holds, and inside any of its ``off`` ranges
(inclusive at both ends) it is absent. Version 1 of the file::

    {"version": 1,
     "clicks": [{"id": "p1", "sign": "positive", "keys": {"1001": [812.5, 400.5]}},
                {"id": "n1", "sign": "negative", "keys": {"1001": [100.5, 80.5]}, "off": [[1020, 1030]]}]}
"""

from __future__ import annotations

import bisect
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hyperseg.imageio.atomic_write import write_text_atomic
from hyperseg.protocol.clicks import Point
from hyperseg.protocol.errors import InputError
from hyperseg.protocol.text_file import read_text_file

VERSION = 1
SIGNS = ("positive", "negative")
#: Ways clicks can follow the image from their keys (``hyperseg.model.propagation``).
PROPAGATION_DIRECTIONS = ("forward", "backward", "both")
_CLICK_FIELDS = frozenset({"id", "sign", "keys", "off"})
_FRAME = re.compile(r"^-?\d+$")



@dataclass(frozen=True)
class ClickSwitchOff:
    """A click the tracker stopped trusting on ``frame`` while tracking in ``direction``."""

    click: str
    frame: int
    direction: str
    reason: str

    def describe(self) -> str:
        return f"click {self.click!r} switched off at frame {self.frame} (tracking {self.direction}): {self.reason}"


@dataclass(frozen=True)
class ClickTrack:
    """One click over time: linear between keys, held outside them, absent in its off ranges."""

    id: str
    sign: str
    keys: dict[int, Point]
    off: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        where = f"click {self.id!r}"
        if not isinstance(self.id, str) or not self.id:
            raise InputError(f"click id must be a non-empty string, got {self.id!r}")
        if self.sign not in SIGNS:
            raise InputError(f"{where}: unknown sign {self.sign!r}, expected 'positive' or 'negative'")
        if not self.keys:
            raise InputError(f"{where}: has no keys; a click needs at least one {{frame: [x, y]}}")
        keys = {_frame(k, where): _point(v, f"{where} key {k}") for k, v in self.keys.items()}
        off = [_off_range(r, where) for r in self.off]
        object.__setattr__(self, "keys", dict(sorted(keys.items())))
        object.__setattr__(self, "off", sorted(off))

    def is_on(self, frame: int) -> bool:
        return not any(start <= frame <= end for start, end in self.off)

    def position(self, frame: int) -> Point | None:
        """Where the click is on ``frame``, or None when it is switched off there."""
        if not self.is_on(frame):
            return None
        frames = list(self.keys)
        if frame <= frames[0]:
            return self.keys[frames[0]]
        if frame >= frames[-1]:
            return self.keys[frames[-1]]
        right = bisect.bisect_right(frames, frame)
        f0, f1 = frames[right - 1], frames[right]
        (x0, y0), (x1, y1) = self.keys[f0], self.keys[f1]
        t = (frame - f0) / (f1 - f0)
        return (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)

    def rekeyed(self, positions: Mapping[int, Point | None]) -> ClickTrack:
        """This click with a key on every frame of ``positions`` that has a point and switched off on
        those that have None (tracked positions written back); its other keys and all its off ranges kept."""
        keys = {f: p for f, p in self.keys.items() if f not in positions}
        keys.update({f: p for f, p in positions.items() if p is not None})
        spans = sorted([*self.off, *((f, f) for f, p in positions.items() if p is None)])
        runs: list[tuple[int, int]] = []
        for start, end in spans:
            if runs and start <= runs[-1][1] + 1:
                runs[-1] = (runs[-1][0], max(end, runs[-1][1]))
            else:
                runs.append((start, end))
        return ClickTrack(self.id, self.sign, keys, runs)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "sign": self.sign,
            "keys": {str(f): [x, y] for f, (x, y) in self.keys.items()},
        }
        if self.off:
            out["off"] = [[start, end] for start, end in self.off]
        return out

    @classmethod
    def from_dict(cls, data: Any) -> ClickTrack:
        if not isinstance(data, Mapping):
            raise InputError(f"each click must be an object with id, sign and keys, got {data!r}")
        where = f"click {data.get('id')!r}"
        unknown = sorted(set(data) - _CLICK_FIELDS)
        if unknown:
            raise InputError(f"{where}: unknown field(s) {', '.join(unknown)}; expected id, sign, keys, off")
        for name in ("id", "sign", "keys"):
            if name not in data:
                raise InputError(f"{where}: missing field {name!r}")
        if not isinstance(data["keys"], Mapping):
            raise InputError(f"{where}: keys must be an object {{frame: [x, y]}}, got {data['keys']!r}")
        off = data.get("off", [])
        if not isinstance(off, list):
            raise InputError(f"{where}: off must be a list of [start, end] frame pairs, got {off!r}")
        return cls(id=data["id"], sign=data["sign"], keys=dict(data["keys"]), off=list(off))


@dataclass(frozen=True)
class ClickTracks:
    """All clicks of a shot; ``at(frame)`` gives the positive and negative points for one frame."""

    tracks: list[ClickTrack] = field(default_factory=list)

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for track in self.tracks:
            if track.id in seen:
                raise InputError(f"click id {track.id!r} appears more than once; ids must be unique")
            seen.add(track.id)

    def at(self, frame: int) -> tuple[list[Point], list[Point]]:
        """(positive, negative) click positions on ``frame``, in track order, off clicks left out."""
        positive: list[Point] = []
        negative: list[Point] = []
        for track in self.tracks:
            point = track.position(frame)
            if point is not None:
                (positive if track.sign == "positive" else negative).append(point)
        return positive, negative

    def to_dict(self) -> dict[str, Any]:
        return {"version": VERSION, "clicks": [t.to_dict() for t in self.tracks]}

    @classmethod
    def from_dict(cls, data: Any) -> ClickTracks:
        if not isinstance(data, Mapping):
            raise InputError("clicks.json must hold an object with 'version' and 'clicks'")
        if "version" not in data:
            raise InputError(f"clicks.json has no 'version'; this HyperSeg reads version {VERSION}")
        if data["version"] != VERSION:
            raise InputError(f"clicks.json version {data['version']!r} is not supported; expected {VERSION}")
        clicks = data.get("clicks")
        if not isinstance(clicks, list):
            raise InputError(f"clicks.json 'clicks' must be a list of clicks, got {clicks!r}")
        return cls([ClickTrack.from_dict(c) for c in clicks])

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ClickTracks:
        path = Path(path)
        text = read_text_file(path, "clicks file")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno} column {exc.colno}"
            raise InputError(f"{path} is not valid JSON: {exc.msg} at {where}") from None
        try:
            return cls.from_dict(data)
        except InputError as exc:
            raise InputError(f"{path}: {exc}") from None

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write atomically: a temp file beside ``path``, then ``os.replace``."""
        path = Path(path)
        write_text_atomic(path, json.dumps(self.to_dict(), indent=2) + "\n")


def _frame(key: Any, where: str) -> int:
    if isinstance(key, bool):
        raise InputError(f"{where}: frame {key!r} is not an integer")
    if isinstance(key, int):
        return key
    if isinstance(key, str) and _FRAME.match(key.strip()):
        return int(key)
    raise InputError(f"{where}: frame {key!r} is not an integer")


def _point(value: Any, where: str) -> Point:
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or len(value) != 2
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    ):
        raise InputError(f"{where}: position must be [x, y] numbers, got {value!r}")
    x, y = float(value[0]), float(value[1])
    if not (math.isfinite(x) and math.isfinite(y)):
        raise InputError(f"{where}: position must be finite, got {value!r}")
    return (x, y)


def _off_range(value: Any, where: str) -> tuple[int, int]:
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise InputError(f"{where}: off range must be [start, end], got {value!r}")
    start, end = (_frame(v, f"{where} off range") for v in value)
    if end < start:
        raise InputError(f"{where}: off range [{start}, {end}] ends before it starts")
    return (start, end)
