"""The HyperSeg node: a Group with the plate input, its knobs, and the callbacks behind them.

Inside the Group::

    plate (Input) -> to_linear (OCIOColorSpace: input colour space -> scene_linear)
                  -> plate_cache (Write, raw float EXR; enabled only while this module renders)
    alpha_read (Read: alpha.####.exr, on_error error)  -+
    plate ----------------------------------------------+-> alpha_copy (Copy: the hypotheses layer,
                                                            and the chosen hypothesis into rgba.alpha)
    overlay_read (Read: overlay.####.png) + alpha_copy  --> overlay_copy (Copy: same channels)
    alpha_copy, overlay_copy -> view (Switch: the overlay knob) -> Output

The plate always reaches the daemon through ``plate_cache``: Nuke evaluates the input (any node,
a Read with TCL, offsets or its own colour space), ``to_linear`` converts it from the input colour
space knob (any name the script's OCIO config knows) to scene_linear, and the plate goes out as
scene_linear, by upload or by path alike, to the one rule that turns it into the network's colour
space (``hyperseg.imageio.colour``), the rule ``hyperseg segment`` and ``hyperseg batch`` follow too.

Every cached alpha carries the key of what it was made from (:mod:`hyperseg.plugin.alpha_cache`).
Whenever a point, a setting or the input changes, the node checks its frame range: stale alphas are
removed (the Read then errors on them instead of showing an old or a black matte) and the status
line says which frames are not current and why. The cache lives beside the script by default
(``<script folder>/hyperseg_cache/<script name>/<node name>``); the cache folder knob moves it,
e.g. to farm storage, keeping the per-script, per-node folders.

Thin on purpose: knobs are read here on the main thread into plain settings
(:mod:`hyperseg.plugin.session`), the network work runs on a worker thread
(:mod:`hyperseg.plugin.background`), and results come back through ``nuke.executeInMainThread``.
knobChanged never renders or calls the daemon itself: it schedules the work for after the
callback returns. Without a GUI (``nuke -t``) the same functions run inline, so a farm script
can call :func:`segment_range` or :func:`segment_all`.

"track points" (:func:`track_points`) sends the range and the points keyed where the artist keyed
them to the daemon, which tracks them and segments each frame from the tracked points; the
positions come back as keys on the point knobs and the alphas into the cache, with a cancellable
progress bar. A cancel keeps the frames before it, keys and alphas alike, and nothing after it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import nuke

from hyperseg.plugin.alpha_cache import describe
from hyperseg.plugin.background import Job, LatestWinsRunner
from hyperseg.plugin.client import ClientConfig
from hyperseg.plugin.coords import tracks_nuke_to_wire, tracks_wire_to_nuke
from hyperseg.plugin.nuke import point_knobs
from hyperseg.plugin.session import (
    PLATE_COLORSPACE,
    CachePaths,
    FrameOutcome,
    NodeSession,
    NodeSettings,
    RangeOutcome,
    TrackOutcome,
)
from hyperseg.protocol.clicktracks import PROPAGATION_DIRECTIONS, ClickTracks
from hyperseg.protocol.errors import HypersegError, InputError, SupersededError
from hyperseg.protocol.framerange import parse_frame_range
from hyperseg.protocol.token_file import read_token_file

T = TypeVar("T")

MARKER = "hyperseg_node"
CHECKPOINT = "checkpoint"
HYPOTHESES = ["1 (best)", "2", "3", "4", "5", "6"]
LIVE_KNOBS = {"proxy", "proxy_scale", "previous_frame", "live", "input_colorspace"}
CHECK_KNOBS = LIVE_KNOBS | {"cache_dir", "frames", "inputChange", "showPanel"}
_MODULE = "import hyperseg.plugin.nuke.node as hyperseg_node; hyperseg_node"
KNOB_CHANGED = f"{_MODULE}.knob_changed(nuke.thisNode(), nuke.thisKnob())"

_sessions: dict[str, NodeSession] = {}
_quiet: set[str] = set()
_runner: list[LatestWinsRunner] = []


# ------------------------------------------------------------------------------------------ building


def create():
    """Nodes menu entry: a HyperSeg node under the selected node (the plate)."""
    group = nuke.createNode("Group", inpanel=False)
    group.setName("HyperSeg1")
    build(group)
    return group


def build(group) -> None:
    """Fill an empty Group with the internal nodes and the HyperSeg knobs."""
    group.begin()
    plate = nuke.nodes.Input()
    plate.setName("plate")
    to_linear = nuke.nodes.OCIOColorSpace(in_colorspace="scene_linear", out_colorspace=PLATE_COLORSPACE)
    to_linear.setName("to_linear")
    to_linear.setInput(0, plate)
    write = nuke.nodes.Write(file_type="exr", datatype="32 bit float", channels="rgb", raw=True)
    write.setName("plate_cache")
    write["disable"].setValue(True)
    write.setInput(0, to_linear)
    read = nuke.nodes.Read(on_error="error", before="black", after="black")
    read.setName("alpha_read")
    copy = nuke.nodes.Copy(channels="hypotheses", from0="rgba.alpha", to0="rgba.alpha")
    copy.setName("alpha_copy")
    copy.setInput(0, plate)
    copy.setInput(1, read)
    overlay = nuke.nodes.Read(on_error="error", before="black", after="black")
    overlay.setName("overlay_read")
    overlay_copy = nuke.nodes.Copy(channels="hypotheses", from0="rgba.alpha", to0="rgba.alpha")
    overlay_copy.setName("overlay_copy")
    overlay_copy.setInput(0, overlay)
    overlay_copy.setInput(1, copy)
    view = nuke.nodes.Switch()
    view.setName("view")
    view.setInput(0, copy)
    view.setInput(1, overlay_copy)
    nuke.nodes.Output().setInput(0, view)
    group.end()
    for knob in _knobs():
        group.addKnob(knob)
    group["knobChanged"].setValue(KNOB_CHANGED)
    with contextlib.suppress(InputError):  # an unsaved script: the paths are set once it is saved
        _point_internal_nodes_at_cache(group, _cache(group))


def _knobs() -> list:
    def button(name: str, label: str, function: str):
        return nuke.PyScript_Knob(name, label, f"{_MODULE}.{function}(nuke.thisNode())")

    def with_value(knob, value, tooltip: str = ""):
        knob.setValue(value)
        if tooltip:
            knob.setTooltip(tooltip)
        return knob

    hidden = [
        nuke.String_Knob(MARKER, "", "1"),
        nuke.String_Knob(point_knobs.REGISTRY, "points", ""),
        nuke.String_Knob(CHECKPOINT, "model last seen", ""),
        nuke.String_Knob(point_knobs.TRACKING, "artist keys of tracked points", ""),
    ]
    for knob in hidden:
        knob.setVisible(False)
    return [
        nuke.Tab_Knob("hyperseg", "HyperSeg"),
        with_value(nuke.String_Knob("server", "server"), "localhost:50051", "host:port of `hyperseg serve`"),
        nuke.File_Knob("token_file", "token file"),
        nuke.File_Knob("tls_ca", "TLS CA"),
        with_value(nuke.Boolean_Knob("send_paths", "daemon reads plate files"), False, "off: upload pixels"),
        nuke.Text_Knob("status", "status", "ready: add a positive point"),
        button("add_positive", "add positive", "add_positive"),
        button("add_negative", "add negative", "add_negative"),
        nuke.Enumeration_Knob("selected_point", "point", []),
        button("remove_point", "remove point", "remove_selected_point"),
        nuke.Enumeration_Knob("hypothesis", "hypothesis", HYPOTHESES),
        with_value(
            nuke.Boolean_Knob("overlay", "overlay"), False, "view the matte tinted over the plate, with the points"
        ),
        nuke.Boolean_Knob("proxy", "interactive proxy"),
        with_value(nuke.Double_Knob("proxy_scale", "scale"), 0.5, "scale the network runs at while clicking"),
        with_value(nuke.Boolean_Knob("previous_frame", "previous-frame context"), True),
        with_value(nuke.Boolean_Knob("live", "segment as I click"), True),
        with_value(
            nuke.String_Knob("input_colorspace", "input colour space"),
            "scene_linear",
            "the OCIO colour space the input's pixels are in (Nuke's working space: scene_linear)",
        ),
        button("segment_frame", "segment frame", "segment_frame"),
        with_value(nuke.String_Knob("frames", "frames"), "", "empty: the script range; or e.g. 1001-1100x2"),
        button("segment_range", "segment range", "segment_range"),
        with_value(
            nuke.Enumeration_Knob("track_direction", "track", list(PROPAGATION_DIRECTIONS)),
            "forward",
            "which way points follow the image from their keys; both blends the two between keys",
        ),
        button("track_points", "track points", "track_points"),
        nuke.File_Knob("clicks_file", "clicks.json"),
        button("export_clicks", "export clicks.json", "export_clicks"),
        button("import_clicks", "import clicks.json", "import_clicks"),
        with_value(
            nuke.File_Knob("cache_dir", "cache folder"),
            "",
            "empty: beside the script (hyperseg_cache/); set shared storage for farm renders",
        ),
        *hidden,
    ]


# ------------------------------------------------------------------------------------------ callbacks


def knob_changed(node, knob) -> None:
    """The Group's knobChanged: cheap knob work here, checks and segmentation scheduled for after the callback."""
    name = node.fullName()
    if name in _quiet:
        return
    changed = knob.name()
    if changed == "hypothesis":
        _show_hypothesis(node)
    elif changed == "overlay":
        with _quietly(node):
            nuke.toNode(f"{name}.view")["which"].setValue(1 if node["overlay"].value() else 0)
    elif changed == "input_colorspace":
        _set_input_colorspace(node)
    point_changed = _is_point_knob(node, changed)
    if point_changed:
        _note_artist_edit(node, changed)
    if changed in CHECK_KNOBS or point_changed:
        live = node["live"].value() and (changed in LIVE_KNOBS or point_changed)
        nuke.executeInMainThread(_after_callback, (name, nuke.frame(), live))


def add_positive(node) -> None:
    _add_point(node, "positive")


def add_negative(node) -> None:
    _add_point(node, "negative")


def remove_selected_point(node) -> None:
    point_id = node["selected_point"].value()
    with _reporting(node), _quietly(node):
        point_knobs.remove_point(node, point_id)
        _refresh_point_list(node)
        _status(node, f"removed {point_id}")
    if node["live"].value() and point_knobs.registry(node):
        segment_frame(node)
    else:
        check_cache(node)


def segment_frame(node, frame: int | None = None) -> None:
    """Segment one frame off the main thread; its alpha appears on the stream when it arrives."""
    _segment_frame(node, nuke.frame() if frame is None else frame, rerender_plate=True)


def segment_range(node, frames: list[int] | None = None) -> RangeOutcome | None:
    """Segment a range at full resolution with a cancellable progress bar (inline under ``nuke -t``).

    ``frames`` default to the node's ``frames`` knob, else the script's range. Frames whose alpha
    is current for the daemon's model are kept, so running it again resumes.
    """
    name = node.fullName()
    if _jobs().busy(name):
        _status(node, "busy: wait for the running segmentation to finish")
        return None
    settings = None
    with _reporting(node):
        frames = frames or _frames(node)
        taken = snapshot(node, frames)
        _render_plate(node, taken, _plate_frames(taken, frames))
        settings = taken  # only once the plate rendered
    if settings is None:
        return None
    session = _session(name)
    label = node.name()

    def work() -> RangeOutcome:
        task, progress = _progress_task(label, f"HyperSeg {label}", "frame", "frame")
        return session.segment_range(settings, frames, progress, task.isCancelled if task else None)

    return _run_range_job(node, f"segmenting {len(frames)} frames...", work, lambda result: _range_done(name, result))


def _run_range_job(node, status: str, work: Callable[[], T], finished: Callable[[T], None]) -> T | None:
    """``work`` on the node's background runner, ``finished`` with its result; under ``nuke -t`` it
    runs inline, its result is returned and its error raised."""
    name = node.fullName()
    outcome: list[T] = []
    errors: list[Exception] = []

    def done(result: T) -> None:
        outcome.append(result)
        finished(result)

    def failed(error: Exception) -> None:
        errors.append(error)
        _failed(name, error)

    _status(node, status)
    _jobs().submit(name, Job(work, done, failed))
    if not nuke.GUI and errors:
        raise errors[0]
    return outcome[0] if outcome else None


def _progress_task(label: str, title: str, message: str,
                   printed: str) -> tuple[Any, Callable[[int, int, int], None]]:
    """A cancellable ``nuke.ProgressTask`` called ``title`` (None under ``nuke -t``, where progress is
    printed) and the ``progress(done, total, frame)`` that moves it: "<message> 7 (7/10)" in the bar,
    or "HyperSeg <label>: <printed> 7 (7/10)" on stdout."""
    task = nuke.ProgressTask(title) if nuke.GUI else None

    def progress(done: int, total: int, frame: int) -> None:
        if task is None:
            print(f"HyperSeg {label}: {printed} {frame} ({done}/{total})", flush=True)
        else:
            task.setProgress(int(100 * done / total))
            task.setMessage(f"{message} {frame} ({done}/{total})")

    return task, progress


def track_points(node, frames: list[int] | None = None) -> TrackOutcome | None:
    """Track the points through the range from the artist's keys (the ``track`` knob's direction) on
    the daemon, segment every frame from them, and write the tracked positions back as keys, with a
    cancellable progress bar (inline under ``nuke -t``). ``frames`` default as :func:`segment_range`'s."""
    name = node.fullName()
    if _jobs().busy(name):
        _status(node, "busy: wait for the running segmentation to finish")
        return None
    settings = anchors = None
    with _reporting(node):
        frames = sorted(frames or _frames(node))
        taken = snapshot(node, frames)
        found = point_knobs.read_anchors(node, frames)
        if not found.tracks:
            raise InputError("add a point first: track points carries the node's points through the range")
        _render_plate(node, taken, _plate_frames(taken, frames))
        settings, anchors = taken, found  # only once the plate rendered
    if settings is None:
        return None
    height = settings.format_height
    direction = node["track_direction"].value()
    session = _session(name)
    label = node.name()

    def work() -> TrackOutcome:
        task, progress = _progress_task(label, f"HyperSeg {label}: track points", "tracking: frame", "tracked frame")
        return session.track_range(settings, tracks_nuke_to_wire(anchors, height), frames, direction, progress,
                                   task.isCancelled if task else None)

    status = f"tracking {len(anchors.tracks)} points through {len(frames)} frames ({direction})..."
    return _run_range_job(node, status, work, lambda result: _tracking_done(name, anchors, result))


def segment_all(frames: list[int] | None = None) -> list[RangeOutcome]:
    """Headless (``nuke -t``): segment every HyperSeg node of the script over ``frames``."""
    return [
        result
        for node in nuke.allNodes("Group")
        if node.knob(MARKER) is not None
        for result in [segment_range(node, frames)]
        if result is not None
    ]


def check_cache(node, note: str = "") -> str:
    """Check the node's frame range: set stale alphas aside, point the internal Reads at the range and
    put ``note`` and what is not current, and why, on the status line. Returns that summary."""
    summary = ""
    if node.input(0) is not None:
        checked = False
        with _reporting(node):
            frames = _frames(node)
            settings = snapshot(node, frames)
            _point_internal_nodes_at_cache(node, settings.cache, frames)
            summary = describe(_session(node.fullName()).check(settings, frames))
            _reload_alpha(node)
            checked = True
        if not checked:  # the error is on the status line
            return ""
    parts = [part for part in (note, f"not current: {summary}" if summary else "") if part]
    if parts:
        _status(node, " | ".join(parts))
    return summary


def export_clicks(node) -> None:
    """Write the points as clicks.json: where Nuke evaluates each one on every frame of the node's range."""
    with _reporting(node):
        path = _clicks_path(node)
        tracks = tracks_nuke_to_wire(point_knobs.read_tracks(node, _frames(node)), node.format().height())
        tracks.save(path)
        _status(node, f"exported {len(tracks.tracks)} clicks to {path}")


def import_clicks(node) -> None:
    with _reporting(node):
        path = _clicks_path(node)
        tracks = ClickTracks.load(path)
        with _quietly(node):
            point_knobs.replace_tracks(node, tracks_wire_to_nuke(tracks, node.format().height()))
            _refresh_point_list(node)
        _status(node, f"imported {len(tracks.tracks)} clicks from {path}")


# ------------------------------------------------------------------------------------------ snapshot


def snapshot(node, frames: list[int]) -> NodeSettings:
    """Everything a segmentation of ``frames`` needs from the node's knobs, as plain data (main thread).

    Each point is evaluated where Nuke evaluates it on each of ``frames`` (``getValueAt``)."""
    if node.input(0) is None:
        raise InputError(f"{node.name()}: connect a plate to the input")
    height = node.format().height()
    token_file = node["token_file"].value().strip()
    token = read_token_file(token_file) if token_file else os.environ.get("HYPERSEG_TOKEN") or None
    connection = ClientConfig(
        address=node["server"].value().strip(),
        token=token,
        tls_ca=node["tls_ca"].value().strip() or None,
        send_paths=bool(node["send_paths"].value()),
        timeout=120.0,
        retries=2,
    )
    return NodeSettings(
        connection=connection,
        tracks=tracks_nuke_to_wire(point_knobs.read_tracks(node, frames), height),
        format_width=node.format().width(),
        format_height=height,
        cache=_cache(node),
        proxy_mode=bool(nuke.root()["proxy"].value()),
        network_proxy=float(node["proxy_scale"].value()) if node["proxy"].value() else None,
        use_previous=bool(node["previous_frame"].value()),
        colorspace=node["input_colorspace"].value(),
        checkpoint=node[CHECKPOINT].value(),
    )


def cache_directory(node) -> Path:
    """``<cache folder>/<script name>/<node name>``; the cache folder defaults to ``hyperseg_cache``
    beside the script, so an unsaved script needs the knob set (or saving)."""
    script = nuke.root().name()
    saved = script not in ("", "Root")
    chosen = node["cache_dir"].value().strip()
    if not chosen and not saved:
        raise InputError("save the script first (the cache lives beside it), or set the cache folder")
    base = Path(chosen).expanduser() if chosen else Path(script).parent / "hyperseg_cache"
    stem = Path(script).stem if saved else "unsaved"
    return base / stem / node.fullName()


# ------------------------------------------------------------------------------------------ internals


def _cache(node) -> CachePaths:
    return CachePaths(cache_directory(node))


def _segment_frame(node, frame: int, rerender_plate: bool) -> None:
    name = node.fullName()
    settings = None
    with _reporting(node):
        taken = snapshot(node, [frame])
        _point_internal_nodes_at_cache(node, taken.cache)
        needed = _plate_frames(taken, [frame])
        missing = [f for f in needed if not taken.cache.plate_path(f, taken.proxy_mode).is_file()]
        _render_plate(node, taken, needed if rerender_plate else missing)
        settings = taken  # only once the plate rendered
    if settings is None:
        return
    session = _session(name)
    _status(node, f"segmenting frame {frame}...")
    _jobs().submit(
        name,
        Job(
            lambda: session.segment_frame(settings, frame),
            lambda outcome: _frame_done(name, outcome),
            lambda error: _failed(name, error),
        ),
    )


def _after_callback(name: str, frame: int, live: bool) -> None:
    node = nuke.toNode(name)
    if node is None:
        return
    if live and point_knobs.registry(node):
        _segment_frame(node, frame, rerender_plate=False)
    check_cache(node)


def _plate_frames(settings: NodeSettings, frames: list[int]) -> list[int]:
    """The plate frames segmenting ``frames`` needs: each frame, and the one before it as context
    (not before the script's first frame)."""
    first = int(nuke.root()["first_frame"].value())
    context = {f - 1 for f in frames if f - 1 >= first} if settings.use_previous else set()
    return sorted(set(frames) | context)


def _render_plate(node, settings: NodeSettings, frames: list[int]) -> None:
    """Render the plate through to_linear and the internal Write for ``frames`` (main thread)."""
    if not frames:
        return
    settings.cache.directory.mkdir(parents=True, exist_ok=True)
    write = nuke.toNode(f"{node.fullName()}.plate_cache")
    write["disable"].setValue(False)
    try:
        for start, end in _runs(frames):
            nuke.execute(write, start, end, 1)
    finally:
        write["disable"].setValue(True)


def _frame_done(name: str, outcome: FrameOutcome) -> None:
    node = nuke.toNode(name)
    if node is None:
        return
    _remember_checkpoint(node, outcome.checkpoint)
    if outcome.note:
        check_cache(node, outcome.note)
        return
    timings = outcome.timings
    cached = " (features cached)" if timings.get("cache_hit") else ""
    check_cache(node, f"frame {outcome.frame}: {timings.get('roundtrip_ms', 0.0):.0f} ms{cached}")


def _range_done(name: str, outcome: RangeOutcome) -> None:
    node = nuke.toNode(name)
    if node is not None:
        for frame in outcome.frames:
            _remember_checkpoint(node, frame.checkpoint)
        check_cache(node, outcome.summary())


def _tracking_done(name: str, anchors: ClickTracks, outcome: TrackOutcome) -> None:
    """The tracked positions of the frames done written back as keys (main thread), then the cache checked."""
    node = nuke.toNode(name)
    if node is None:
        return
    height = node.format().height()
    positions = {
        frame: {point: None if p is None else (p[0], height - p[1]) for point, p in points.items()}
        for frame, points in outcome.positions.items()
    }
    with _quietly(node):
        point_knobs.write_tracked(node, anchors, positions)
    _remember_checkpoint(node, outcome.checkpoint)
    check_cache(node, outcome.summary())


def _note_artist_edit(node, knob_name: str) -> None:
    """A tracked point the artist moved gets a key of theirs on this frame; edited off frames are theirs."""
    with _quietly(node):
        if knob_name.endswith("_off"):
            point_knobs.set_artist_off(node, knob_name[: -len("_off")])
        else:
            point_knobs.add_artist_key(node, knob_name, nuke.frame())


def _remember_checkpoint(node, checkpoint: str) -> None:
    if checkpoint and node[CHECKPOINT].value() != checkpoint:
        with _quietly(node):
            node[CHECKPOINT].setValue(checkpoint)


def _failed(name: str, error: Exception) -> None:
    if isinstance(error, SupersededError):
        return
    node = nuke.toNode(name)
    if node is not None:
        message = str(error) if isinstance(error, HypersegError) else f"unexpected {type(error).__name__}: {error}"
        _status(node, f"error: {message}")


def _add_point(node, sign: str) -> None:
    fmt = node.format()
    with _reporting(node), _quietly(node):
        offset = 0.05 * len(point_knobs.registry(node))
        position = (fmt.width() * (0.5 + offset), fmt.height() * (0.5 + offset))
        point_id = point_knobs.add_point(node, sign, position, nuke.frame())
        _refresh_point_list(node)
        node["selected_point"].setValue(point_id)
        _status(node, f"added {point_id}: drag it in the viewer")


def _refresh_point_list(node) -> None:
    node["selected_point"].setValues([point_id for point_id, _ in point_knobs.registry(node)])


def _show_hypothesis(node) -> None:
    index = int(node["hypothesis"].getValue())
    channel = "rgba.alpha" if index == 0 else f"hypotheses.h{index}"
    with _quietly(node):
        nuke.toNode(f"{node.fullName()}.alpha_copy")["from0"].setValue(channel)


def _set_input_colorspace(node) -> None:
    with _quietly(node):
        nuke.toNode(f"{node.fullName()}.to_linear")["in_colorspace"].setValue(node["input_colorspace"].value())


def _point_internal_nodes_at_cache(node, cache: CachePaths, frames: list[int] | None = None) -> None:
    """The internal Write and Reads at ``cache`` (changed only where they differ), the Reads' range at ``frames``."""
    name = node.fullName()
    wanted = {
        "plate_cache": {"file": cache.plate, "proxy": cache.plate_proxy},
        "alpha_read": {"file": cache.alpha, "proxy": cache.alpha_proxy},
        "overlay_read": {"file": cache.overlay, "proxy": cache.overlay_proxy},
    }
    if frames:
        for read in ("alpha_read", "overlay_read"):
            wanted[read].update(first=min(frames), last=max(frames))
    with _quietly(node):
        for internal, values in wanted.items():
            target = nuke.toNode(f"{name}.{internal}")
            for knob, value in values.items():
                if target[knob].value() != value:
                    target[knob].setValue(value)


def _reload_alpha(node) -> None:
    for read in ("alpha_read", "overlay_read"):
        nuke.toNode(f"{node.fullName()}.{read}")["reload"].execute()


def _is_point_knob(node, knob_name: str) -> bool:
    point_id = knob_name[: -len("_off")] if knob_name.endswith("_off") else knob_name
    return any(point_id == entry[0] for entry in point_knobs.registry(node))


def _frames(node) -> list[int]:
    spec = node["frames"].value().strip()
    if spec:
        return parse_frame_range(spec)
    root = nuke.root()
    return list(range(int(root["first_frame"].value()), int(root["last_frame"].value()) + 1))


def _clicks_path(node) -> Path:
    path = node["clicks_file"].value().strip()
    if not path:
        raise InputError("set the clicks.json file first")
    return Path(path)


def _runs(frames: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for frame in sorted(set(frames)):
        if runs and frame == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], frame)
        else:
            runs.append((frame, frame))
    return runs


def _status(node, text: str) -> None:
    with _quietly(node):
        node["status"].setValue(text)
    if not nuke.GUI:
        print(f"HyperSeg {node.name()}: {text}", flush=True)


def _session(name: str) -> NodeSession:
    return _sessions.setdefault(name, NodeSession())


def _jobs() -> LatestWinsRunner:
    """One runner per mode: background threads with a GUI, inline under ``nuke -t``."""
    if not _runner or _runner[0].background != bool(nuke.GUI):
        _runner[:] = [LatestWinsRunner(lambda call, *args: nuke.executeInMainThread(call, args), bool(nuke.GUI))]
    return _runner[0]


@contextlib.contextmanager
def _quietly(node) -> Iterator[None]:
    """Knob writes made here do not re-enter knob_changed."""
    name = node.fullName()
    nested = name in _quiet
    _quiet.add(name)
    try:
        yield
    finally:
        if not nested:
            _quiet.discard(name)


@contextlib.contextmanager
def _reporting(node) -> Iterator[None]:
    """A HyperSeg error or a failed Nuke render shows on the node's status line, not as a traceback.

    Without a GUI it is raised after that, so a farm job fails loudly."""
    try:
        yield
    except (HypersegError, RuntimeError, OSError) as error:
        _status(node, f"error: {error}")
        if not nuke.GUI:
            raise
