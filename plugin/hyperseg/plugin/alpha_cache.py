"""The node's alpha cache: one EXR per frame, valid only for the recipe it was made from.

A cached alpha is shown only while everything it was made from still holds: the plate frame (and
the previous frame fed as context), the click positions on that frame, the daemon's model and the
settings that change the answer. That :class:`FrameRecipe` is hashed into a key stored in the EXR
(attribute ``hyperseg/cache_key``, the recipe itself beside it as JSON in ``hyperseg/cache_recipe``),
so :func:`check_cache` can say, frame by frame, whether a file is current and, when it is not, why.

Plates are identified by the content hash of their pixels (``hyperseg.protocol.frame_hash``, the
hash the daemon names uploads by), remembered per file size and modification time so a file is
read once; re-rendering an unchanged plate keeps its alphas current.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import OpenImageIO as oiio

from hyperseg.imageio import METADATA_PREFIX, FramePattern, read_image
from hyperseg.protocol.clicks import Point
from hyperseg.protocol.frame_hash import frame_hash
from hyperseg.protocol.framerange import format_frame_range

KEY_ATTRIBUTE = "cache_key"
RECIPE_ATTRIBUTE = "cache_recipe"
_CHANNELS = ("R", "G", "B")


@dataclass(frozen=True)
class FrameRecipe:
    """Everything one frame's alpha is made from; equal recipes give the same alpha."""

    plate: str
    previous: str
    positive: tuple[Point, ...]
    negative: tuple[Point, ...]
    checkpoint: str
    network_proxy: float | None
    colorspace: str

    def key(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:32]

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    def metadata(self) -> dict[str, str]:
        """The EXR attributes (without the ``hyperseg/`` prefix) that tie a file to this recipe."""
        return {KEY_ATTRIBUTE: self.key(), RECIPE_ATTRIBUTE: self.to_json()}

    def why_not(self, stored: dict | None) -> str:
        """What differs between a file's stored recipe and this one, in words ('' when nothing does)."""
        if stored is None:
            return "made before alphas carried a cache key"
        mine = json.loads(self.to_json())
        reasons = {
            "plate": "the plate changed",
            "previous": "the previous frame changed",
            "positive": "the points moved",
            "negative": "the points moved",
            "checkpoint": "the daemon's model changed",
            "network_proxy": "the interactive proxy scale changed",
            "colorspace": "the input colour space changed",
        }
        found = [reasons[name] for name in reasons if stored.get(name) != mine[name]]
        return ", ".join(dict.fromkeys(found))


@dataclass(frozen=True)
class FrameState:
    """One frame of the cache: ``current`` when its alpha matches the recipe, else ``reason`` says why not."""

    frame: int
    current: bool
    reason: str = ""


class PlateHashes:
    """Content hashes of plate files, remembered per (path, size, mtime); thread-safe."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, int, int], str] = {}
        self._lock = threading.Lock()

    def of(self, path: Path) -> str:
        """The file's pixel hash, or ``missing:<path>`` when there is no file."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            return f"missing:{path}"
        token = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        with self._lock:
            known = self._known.get(token)
        if known is None:
            known = frame_hash(read_image(path).to_display_window().rgb(), _CHANNELS)
            with self._lock:
                self._known[token] = known
        return known


def stored_recipe(path: Path) -> tuple[str, dict | None] | None:
    """(key, recipe) stored in an alpha EXR's header, or None when there is no readable file."""
    image = oiio.ImageInput.open(str(path))
    if image is None:
        return None
    try:
        spec = image.spec()
        key = spec.get_string_attribute(METADATA_PREFIX + KEY_ATTRIBUTE, "")
        recipe = spec.get_string_attribute(METADATA_PREFIX + RECIPE_ATTRIBUTE, "")
    finally:
        image.close()
    return key, (json.loads(recipe) if recipe else None)


def check_cache(
    pattern: str, recipes: dict[int, tuple[FrameRecipe, ...]], companions: Iterable[str] = ()
) -> list[FrameState]:
    """Each frame of ``recipes`` against its file in ``pattern``: current when its stored key is one of
    the frame's recipes' keys, else missing or stale.

    A stale file moves, with the frame's files in the ``companions`` patterns (its overlay), into
    the ``stale/`` folder beside them, so Nuke never shows it and the reason stays known; when the
    recipe comes back (a point moved back, a setting undone) it moves back and is current again."""
    states = []
    for frame, accepted in sorted(recipes.items()):
        keys = {recipe.key() for recipe in accepted}
        path = FramePattern(pattern).path(frame)
        aside = _stale_path(path)
        if path.is_file():
            stored = stored_recipe(path)
            if stored is not None and stored[0] in keys:
                states.append(FrameState(frame, True))
                continue
            _move(frame, (pattern, *companions), to_stale=True)
        elif aside.is_file():
            stored = stored_recipe(aside)
            if stored is not None and stored[0] in keys:
                _move(frame, (pattern, *companions), to_stale=False)
                states.append(FrameState(frame, True))
                continue
        else:
            states.append(FrameState(frame, False, "not segmented yet"))
            continue
        states.append(FrameState(frame, False, accepted[0].why_not(stored[1] if stored else None)))
    return states


def _stale_path(path: Path) -> Path:
    return path.parent / "stale" / path.name


def _move(frame: int, patterns: Iterable[str], to_stale: bool) -> None:
    for pattern in patterns:
        shown = FramePattern(pattern).path(frame)
        source, target = (shown, _stale_path(shown)) if to_stale else (_stale_path(shown), shown)
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            source.replace(target)


def describe(states: Iterable[FrameState]) -> str:
    """'frames 2-3: the points moved; frame 5: not segmented yet' for the frames that are not current."""
    by_reason: dict[str, list[int]] = {}
    for state in states:
        if not state.current:
            by_reason.setdefault(state.reason, []).append(state.frame)
    parts = []
    for reason, frames in by_reason.items():
        noun = "frame" if len(frames) == 1 else "frames"
        parts.append(f"{noun} {format_frame_range(frames)}: {reason}")
    return "; ".join(parts)
