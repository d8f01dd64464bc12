"""What a HyperSeg node does, without Nuke: segment a frame or a range into the node's alpha cache.

The Nuke layer (``plugin/hyperseg/plugin/nuke/node.py``) reads its knobs on the main thread into a
:class:`NodeSettings` (plain data: clicks as full-size wire coordinates, where the cache is, the
model last seen) and hands it to a :class:`NodeSession`, whose calls block and so run on a worker
thread. Nothing here touches Nuke, so the same code drives the node in the GUI, under ``nuke -t``
and in tests.

One colour path: the plate always reaches the daemon as the float EXR the node rendered into its
cache (``plate.####.exr``), converted to scene_linear inside Nuke (``PLATE_COLORSPACE``) and sent
as that, whether it is uploaded or read by the daemon from shared storage; the client or the
daemon turns it into the network's colour space by the rule every route follows
(``hyperseg.imageio.colour``). Every alpha carries the key of the
:class:`~hyperseg.plugin.alpha_cache.FrameRecipe` it was made from, and an overlay PNG (plate,
tinted matte, green positive and red negative points) is written beside it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from hyperseg.imageio import (
    FramePattern,
    network_rgb,
    read_display_window,
    read_image,
    write_alpha_exr,
    write_image,
)
from hyperseg.imageio.overlay import alpha_overlay
from hyperseg.plugin.alpha_cache import FrameRecipe, FrameState, PlateHashes, check_cache
from hyperseg.plugin.client import Client, ClientConfig, RangeItem
from hyperseg.plugin.coords import FrameGeometry, from_image, to_image, tracks_to_image
from hyperseg.protocol.clicks import Point
from hyperseg.protocol.clicktracks import ClickSwitchOff, ClickTrack, ClickTracks

PADDED = "%04d"
#: Frames per SegmentRange request when tracking: the progress bar moves, and Cancel is heard, this often.
TRACK_BATCH = 4
PLATE_COLORSPACE = "scene_linear"  # what the node renders its input to, and sends the plate as
EMPTY_HYPOTHESES = 6  # hypotheses.h0..h5 of a frame with no positive point: all zero, so the layer never goes missing


@dataclass(frozen=True)
class CachePaths:
    """The node's cache folder: plates it rendered, the alphas it shows and their overlays (full and proxy size)."""

    directory: Path

    def _pattern(self, name: str, proxy: bool, extension: str = "exr") -> str:
        return str(self.directory / f"{name}{'_proxy' if proxy else ''}.{PADDED}.{extension}")

    @property
    def plate(self) -> str:
        return self._pattern("plate", False)

    @property
    def plate_proxy(self) -> str:
        return self._pattern("plate", True)

    @property
    def alpha(self) -> str:
        return self._pattern("alpha", False)

    @property
    def alpha_proxy(self) -> str:
        return self._pattern("alpha", True)

    @property
    def overlay(self) -> str:
        return self._pattern("overlay", False, "png")

    @property
    def overlay_proxy(self) -> str:
        return self._pattern("overlay", True, "png")

    def plate_path(self, frame: int, proxy_mode: bool) -> Path:
        return FramePattern(self._pattern("plate", proxy_mode)).path(frame)

    def alpha_pattern(self, proxy_mode: bool) -> str:
        return self._pattern("alpha", proxy_mode)

    def alpha_path(self, frame: int, proxy_mode: bool) -> Path:
        return FramePattern(self.alpha_pattern(proxy_mode)).path(frame)

    def overlay_pattern(self, proxy_mode: bool) -> str:
        return self._pattern("overlay", proxy_mode, "png")

    def overlay_path(self, frame: int, proxy_mode: bool) -> Path:
        return FramePattern(self.overlay_pattern(proxy_mode)).path(frame)


@dataclass(frozen=True)
class NodeSettings:
    """A snapshot of one node's knobs, taken on the main thread.

    ``tracks`` hold each point where Nuke evaluates it on every frame the snapshot was taken for;
    ``checkpoint`` is the daemon's model as last seen ('' before the first answer).
    """

    connection: ClientConfig
    tracks: ClickTracks
    format_width: int
    format_height: int
    cache: CachePaths
    proxy_mode: bool = False
    network_proxy: float | None = None
    use_previous: bool = True
    colorspace: str = "scene_linear"
    checkpoint: str = ""


@dataclass(frozen=True)
class FrameOutcome:
    """One frame done: where its alpha is, the model that made it, how long the daemon took (ms) or why it is empty."""

    frame: int
    alpha_path: Path
    timings: dict[str, float] = field(default_factory=dict)
    note: str = ""
    checkpoint: str = ""


@dataclass(frozen=True)
class RangeOutcome:
    frames: list[FrameOutcome]
    requested: int
    cancelled: bool
    seconds: float
    current: list[int] = field(default_factory=list)

    def summary(self) -> str:
        done = len(self.frames)
        verb = f"cancelled after {done} of {self.requested} frames" if self.cancelled else f"segmented {done} frames"
        kept = f", {len(self.current)} already current" if self.current else ""
        return f"{verb}{kept} in {self.seconds:.1f} s"


@dataclass(frozen=True)
class TrackOutcome:
    """Points tracked through a range (full-size wire coordinates, None where a point is off) on the
    frames done, in order; those frames' alphas are in the cache, made from exactly these positions."""

    positions: dict[int, dict[str, Point | None]]
    switched_off: list[ClickSwitchOff]
    requested: int
    cancelled: bool
    seconds: float
    checkpoint: str = ""

    def summary(self) -> str:
        done = len(self.positions)
        verb = f"tracking cancelled after {done} of {self.requested} frames" if self.cancelled else (
            f"tracked and segmented {done} frames")
        off = "".join(f"; {event.describe()}" for event in self.switched_off)
        return f"{verb} in {self.seconds:.1f} s{off}"


class NodeSession:
    """Segments for one node, keeping one client (one gRPC channel) while its connection settings hold."""

    def __init__(self, client_factory: Callable[[ClientConfig], Client] = Client.from_config) -> None:
        self._client_factory = client_factory
        self._client: Client | None = None
        self._config: ClientConfig | None = None
        self.plates = PlateHashes()

    def client(self, config: ClientConfig) -> Client:
        if self._client is None or config != self._config:
            self.close()
            self._client, self._config = self._client_factory(config), config
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def recipe(self, settings: NodeSettings, frame: int, checkpoint: str, interactive: bool) -> FrameRecipe:
        """What ``frame``'s alpha is made from under ``settings`` (reads a plate once per file version)."""
        positive, negative = settings.tracks.at(frame)
        if not positive:  # an empty alpha: no model, no scale, no context involved
            return FrameRecipe(self.plates.of(self._plate(settings, frame)), "", (), tuple(negative), "", 1.0, "")
        previous = self._previous(settings, frame)
        return FrameRecipe(
            plate=self.plates.of(self._plate(settings, frame)),
            previous=self.plates.of(previous) if previous is not None else "",
            positive=tuple(positive),
            negative=tuple(negative),
            checkpoint=checkpoint,
            network_proxy=settings.network_proxy if interactive else None,
            colorspace=settings.colorspace,
        )

    def check(self, settings: NodeSettings, frames: Sequence[int], interactive: bool = True) -> list[FrameState]:
        """Which of ``frames`` have a current alpha; stale alphas (and their overlays) are removed.

        Interactively an alpha made at full resolution or at the interactive proxy scale is current;
        for renders (``interactive=False``) only a full-resolution one is.
        """
        recipes = {}
        for frame in frames:
            recipe = self.recipe(settings, frame, settings.checkpoint, interactive=False)
            proxy = self.recipe(settings, frame, settings.checkpoint, interactive=True)
            recipes[frame] = (recipe, proxy) if interactive and proxy != recipe else (recipe,)
        cache, proxy_mode = settings.cache, settings.proxy_mode
        return check_cache(cache.alpha_pattern(proxy_mode), recipes, [cache.overlay_pattern(proxy_mode)])

    def segment_frame(self, settings: NodeSettings, frame: int, interactive: bool = True) -> FrameOutcome:
        """Segment ``frame`` and write its alpha EXR (A plus every hypothesis, keyed) and overlay into the cache."""
        output = settings.cache.alpha_path(frame, settings.proxy_mode)
        output.parent.mkdir(parents=True, exist_ok=True)
        plate = self._plate(settings, frame)
        geometry = _geometry(plate, settings)
        positive, negative = settings.tracks.at(frame)
        if not positive:
            return self._write_empty(settings, frame, interactive)
        previous = self._previous(settings, frame)
        result = self.client(settings.connection).segment(
            plate,
            positive=[to_image(p, geometry) for p in positive],
            negative=[to_image(p, geometry) for p in negative],
            previous=previous,
            proxy=settings.network_proxy if interactive else None,
            hypotheses="all",
            frame_number=frame,
            colorspace=PLATE_COLORSPACE,
        )
        recipe = self.recipe(settings, frame, result.checkpoint_id, interactive)
        self._write(settings, frame, plate, result.alpha, result.hypotheses, recipe, geometry)
        return FrameOutcome(frame, output, dict(result.timings), checkpoint=result.checkpoint_id)

    def segment_range(
        self,
        settings: NodeSettings,
        frames: Sequence[int],
        progress: Callable[[int, int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> RangeOutcome:
        """Segment ``frames`` at full resolution in order, skipping frames whose alpha is current for
        the daemon's model; ``progress(done, total, frame)`` after each, stopping early when
        ``cancelled()`` says so."""
        started = time.perf_counter()
        checkpoint = str(self.client(settings.connection).info().get("checkpoint_id", ""))
        settings = replace(settings, checkpoint=checkpoint)
        states = self.check(settings, frames, interactive=False)
        current = [state.frame for state in states if state.current]
        todo = [state.frame for state in states if not state.current]
        done: list[FrameOutcome] = []
        for frame in todo:
            if cancelled is not None and cancelled():
                return RangeOutcome(done, len(todo), True, time.perf_counter() - started, current)
            done.append(self.segment_frame(settings, frame, interactive=False))
            if progress is not None:
                progress(len(done), len(todo), frame)
        return RangeOutcome(done, len(todo), False, time.perf_counter() - started, current)

    def track_range(
        self,
        settings: NodeSettings,
        anchors: ClickTracks,
        frames: Sequence[int],
        direction: str,
        progress: Callable[[int, int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> TrackOutcome:
        """The daemon tracks ``anchors`` (full-size wire coordinates, keyed on the artist's key frames)
        through ``frames`` and segments each frame from the tracked points, ``TRACK_BATCH`` a request;
        each alpha goes into the cache keyed by those points. ``cancelled()`` is asked before each
        frame is taken in: a cancel keeps the frames before it (positions and alphas), none after."""
        started = time.perf_counter()
        frames = sorted(frames)
        geometry = _geometry(self._plate(settings, frames[0]), settings)
        items = [RangeItem(self._plate(settings, f), previous=self._previous(settings, f), frame_number=f,
                           colorspace=PLATE_COLORSPACE) for f in frames]
        results = self.client(settings.connection).segment_range(
            items, hypotheses="all", batch=TRACK_BATCH, propagate=direction,
            clicks=tracks_to_image(anchors, geometry),
        )
        positions: dict[int, dict[str, Point | None]] = {}
        switched: list[ClickSwitchOff] = []
        checkpoint = ""
        try:
            for result in results:
                if cancelled is not None and cancelled():
                    return TrackOutcome(positions, switched, len(frames), True, time.perf_counter() - started,
                                        checkpoint)
                checkpoint = result.checkpoint_id
                frame = int(result.frame_number)
                here = {c.id: None if c.position is None else _as_a_knob_gives_it(from_image(c.position, geometry),
                                                                                   settings.format_height)
                        for c in result.clicks}
                known = {track.id for track in anchors.tracks}
                reseeded = [ClickTrack(c.id, c.sign, {frame: here[c.id]}) for c in result.clicks
                            if c.id not in known and here[c.id] is not None]
                tracked = replace(settings, checkpoint=result.checkpoint_id, tracks=ClickTracks(
                    [*(track.rekeyed({frame: here[track.id]}) for track in anchors.tracks), *reseeded]))
                if tracked.tracks.at(frame)[0]:
                    recipe = self.recipe(tracked, frame, result.checkpoint_id, interactive=False)
                    plate = self._plate(settings, frame)
                    self._write(tracked, frame, plate, result.alpha, result.hypotheses, recipe, geometry)
                else:
                    self._write_empty(tracked, frame, interactive=False)
                positions[frame] = here
                switched.extend(result.switched_off)
                if progress is not None:
                    progress(len(positions), len(frames), frame)
        finally:
            results.close()
        return TrackOutcome(positions, switched, len(frames), False, time.perf_counter() - started, checkpoint)

    def _write_empty(self, settings: NodeSettings, frame: int, interactive: bool) -> FrameOutcome:
        """An all-zero alpha (every hypothesis) for a frame without a positive point."""
        plate = self._plate(settings, frame)
        geometry = _geometry(plate, settings)
        recipe = self.recipe(settings, frame, "", interactive)
        empty = np.zeros((EMPTY_HYPOTHESES, geometry.image_height, geometry.image_width), dtype=np.float32)
        self._write(settings, frame, plate, empty[0], empty, recipe, geometry)
        output = settings.cache.alpha_path(frame, settings.proxy_mode)
        return FrameOutcome(frame, output, note=f"no positive click on frame {frame}: alpha left empty")

    def _plate(self, settings: NodeSettings, frame: int) -> Path:
        return settings.cache.plate_path(frame, settings.proxy_mode)

    def _previous(self, settings: NodeSettings, frame: int) -> Path | None:
        if not settings.use_previous:
            return None
        previous = self._plate(settings, frame - 1)
        return previous if previous.is_file() else None

    def _write(self, settings, frame, plate, alpha, hypotheses, recipe: FrameRecipe, geometry) -> None:
        """The alpha EXR (keyed by ``recipe``) and the overlay PNG of one frame, each atomic; the overlay first,
        so a current alpha never sits beside an older overlay."""
        rgb = network_rgb(read_image(plate).to_display_window(), PLATE_COLORSPACE)  # as the network sees it
        positive, negative = settings.tracks.at(frame)
        overlay = alpha_overlay(
            rgb, alpha, [to_image(p, geometry) for p in positive], [to_image(p, geometry) for p in negative]
        )
        write_image(settings.cache.overlay_path(frame, settings.proxy_mode), overlay, ("R", "G", "B"))
        output = settings.cache.alpha_path(frame, settings.proxy_mode)
        write_alpha_exr(output, alpha, hypotheses=hypotheses, metadata={"frame": frame, **recipe.metadata()})


def _as_a_knob_gives_it(point: Point, format_height: int) -> Point:
    """``point`` (full-size wire) as the node reads it back once written to a knob (y flipped up and
    down again in floating point), so an alpha keyed by a tracked point is current for the knob."""
    x, y = point
    return (x, format_height - (format_height - y))


def _geometry(plate: Path, settings: NodeSettings) -> FrameGeometry:
    """Format (what the knobs are in) against the plate file's display window (smaller in proxy)."""
    display = read_display_window(plate)
    return FrameGeometry(settings.format_width, settings.format_height, display.width, display.height)
