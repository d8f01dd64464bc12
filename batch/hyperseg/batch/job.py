"""A batch job a TD keeps with the shot: rerunning it is ``hyperseg batch --job shot.job.json``.

Relative paths in a job file are relative to the file's own folder, so a job kept beside the
plate and clicks still runs after the shot folder moves. Version 1 of the file::

    {"version": 1, "plate": "plate/plate.%04d.exr", "frames": "1001-1100",
     "clicks": "clicks.json", "out": "roto/alpha.%04d.exr",
     "checkpoint": null, "server": null, "device": "auto", "proxy": null,
     "hypotheses": "best", "chunk": 10, "token_file": null, "send": "pixels", "propagate": null,
     "colorspace": null}

``propagate`` (``forward``, ``backward``, ``both`` or null) makes the clicks follow the image
from their keys before any frame is segmented (``hyperseg.batch.propagation``). ``colorspace``
names the plate's colour space (null: the file's own; ``hyperseg.imageio.colour``). Files
without either read them as null.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hyperseg.batch.segmenter import SegmenterSettings
from hyperseg.imageio import FramePattern, check_colorspace
from hyperseg.imageio.atomic_write import write_text_atomic
from hyperseg.protocol.clicktracks import PROPAGATION_DIRECTIONS
from hyperseg.protocol.errors import InputError
from hyperseg.protocol.framerange import parse_frame_range
from hyperseg.protocol.proxy import check_proxy
from hyperseg.protocol.text_file import read_text_file

VERSION = 1
HYPOTHESES = ("best", "all")
DEVICES = ("auto", "cpu", "cuda")
SEND = ("pixels", "paths")
_PATH_FIELDS = ("plate", "clicks", "out", "checkpoint", "token_file")


@dataclass(frozen=True)
class BatchJob:
    """Everything a batch run needs; ``server=None`` means segment in-process (``--local``).

    ``checkpoint`` is used only in-process (None: the bundled default); a daemon segments with
    the checkpoint it was started with. ``send`` says how frames reach a daemon: ``pixels``
    (uploaded, deduplicated) or ``paths`` (the daemon reads the same storage, as on a farm).
    """

    plate: str
    frames: str
    clicks: str
    out: str
    checkpoint: str | None = None
    server: str | None = None
    device: str = "auto"
    #: None: the scale the model answers best at (``ModelConfig.run_pixels``).
    proxy: float | None = None
    hypotheses: str = "best"
    chunk: int = 10
    token_file: str | None = None
    send: str = "pixels"
    propagate: str | None = None
    colorspace: str | None = None

    def __post_init__(self) -> None:
        for name in ("plate", "frames", "clicks", "out"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise InputError(f"batch job field {name!r} must be a non-empty string, got {value!r}")
        for name in ("checkpoint", "server", "token_file"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise InputError(f"batch job field {name!r} must be a non-empty string or null, got {value!r}")
        for name, choices in (("device", DEVICES), ("send", SEND), ("hypotheses", HYPOTHESES)):
            value = getattr(self, name)
            if not isinstance(value, str) or value not in choices:
                raise InputError(f"{name} {value!r} is not one of {', '.join(choices)}")
        parse_frame_range(self.frames)
        plate, out = FramePattern(self.plate), FramePattern(self.out)
        if not out.suffix.lower().endswith(".exr"):
            raise InputError(f"output pattern {self.out!r} must end in .exr: alphas are written as OpenEXR")
        if plate.path(0) == out.path(0):
            raise InputError(f"output pattern {self.out!r} is the plate pattern: it would overwrite the plate")
        if self.propagate is not None and self.propagate not in PROPAGATION_DIRECTIONS:
            choices = ", ".join(PROPAGATION_DIRECTIONS)
            raise InputError(f"propagate {self.propagate!r} is not one of {choices} (or null)")
        if self.colorspace is not None:
            check_colorspace(self.colorspace)
        if self.proxy is not None:
            if isinstance(self.proxy, bool) or not isinstance(self.proxy, (int, float)):
                raise InputError(f"proxy must be a number or null, got {self.proxy!r}")
            check_proxy(self.proxy)
        if isinstance(self.chunk, bool) or not isinstance(self.chunk, int) or self.chunk < 1:
            raise InputError(f"chunk must be a whole number of frames, at least 1, got {self.chunk!r}")

    @property
    def segmenter_settings(self) -> SegmenterSettings:
        return SegmenterSettings(
            server=self.server, checkpoint=self.checkpoint, device=self.device, proxy=self.proxy,
            hypotheses=self.hypotheses, token_file=self.token_file, send=self.send,
        )

    @property
    def frame_list(self) -> list[int]:
        return parse_frame_range(self.frames)

    @property
    def plate_pattern(self) -> FramePattern:
        return FramePattern(self.plate)

    @property
    def out_pattern(self) -> FramePattern:
        return FramePattern(self.out)

    @property
    def tracked_clicks(self) -> Path:
        """Where ``propagate`` writes the tracked clicks: beside the outputs, named after the clicks file."""
        return self.out_pattern.directory / f"{Path(self.clicks).stem}.tracked.json"

    def resolved(self, base: str | os.PathLike[str]) -> BatchJob:
        """This job with its relative paths made absolute against ``base``."""
        changes = {}
        for name in _PATH_FIELDS:
            value = getattr(self, name)
            if value is not None and not Path(value).is_absolute():
                changes[name] = str(Path(base, value).absolute())
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {"version": VERSION, **dataclasses.asdict(self)}

    @classmethod
    def from_dict(cls, data: Any) -> BatchJob:
        if not isinstance(data, dict):
            raise InputError("a batch job must be a JSON object")
        if data.get("version") != VERSION:
            raise InputError(f"batch job version {data.get('version')!r} is not supported; expected {VERSION}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known - {"version"})
        if unknown:
            raise InputError(f"unknown batch job field(s): {', '.join(unknown)}")
        missing = sorted(f.name for f in dataclasses.fields(cls) if f.name not in data and _required(f))
        if missing:
            raise InputError(f"batch job is missing field(s): {', '.join(missing)}")
        return cls(**{k: v for k, v in data.items() if k != "version"})

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> BatchJob:
        """Read a job file; relative paths in it are resolved against its folder."""
        path = Path(path)
        try:
            data = json.loads(read_text_file(path, "batch job file"))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
        try:
            return cls.from_dict(data).resolved(path.parent)
        except InputError as exc:
            raise InputError(f"{path}: {exc}") from None

    def relative_to(self, base: str | os.PathLike[str]) -> BatchJob:
        """This job with its absolute paths written relative to ``base`` (the job file's folder)."""
        changes = {}
        for name in _PATH_FIELDS:
            value = getattr(self, name)
            if value is not None and Path(value).is_absolute():
                changes[name] = os.path.relpath(value, Path(base).absolute())
        return dataclasses.replace(self, **changes)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write atomically (temp file beside ``path``, then ``os.replace``), paths relative to it."""
        path = Path(path)
        text = json.dumps(self.relative_to(path.parent).to_dict(), indent=2) + "\n"
        write_text_atomic(path, text)


def _required(field: dataclasses.Field) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
