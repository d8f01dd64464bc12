"""An OpenCue job for a batch job, built with pyoutline and serialized by pyoutline itself.

The job has one Shell layer over the job's frame range, chunked by ``job.chunk``. Each task
runs one chunk: ``hyperseg batch --job JOB --frames-only #FRAME_START#-#FRAME_END# --resume``;
RQD replaces the two tokens with the chunk's first and last frame, and ``--frames-only`` keeps
only the job's own frames between them, so stepped ranges and holes chunk correctly.
"""

from __future__ import annotations

import os
import shlex
import tempfile
from dataclasses import dataclass
from pathlib import Path

import outline
import outline.cuerun
import outline.modules.shell

from hyperseg.batch.job import BatchJob
from hyperseg.imageio.atomic_write import write_text_atomic

LAYER_NAME = "hyperseg_batch"


@dataclass(frozen=True)
class OpenCueSettings:
    """Where the job goes on the farm; None leaves pyoutline's configured default (outline.cfg)."""

    name: str
    show: str | None = None
    shot: str | None = None
    executable: str = "hyperseg"
    service: str = "shell"


def chunk_command(job_path: str | os.PathLike[str], executable: str = "hyperseg") -> list[str]:
    """The command one OpenCue task runs, frame tokens still in place, words quoted for RQD's shell."""
    return [
        shlex.quote(executable), "batch", "--job", shlex.quote(str(Path(job_path).absolute())),
        "--frames-only", "#FRAME_START#-#FRAME_END#", "--resume", "--no-progress",
    ]


def build_outline(job: BatchJob, job_path: str | os.PathLike[str], settings: OpenCueSettings) -> outline.Outline:
    """A pyoutline Outline with one Shell layer running ``job`` (saved at ``job_path``) chunk by chunk."""
    frame_range = job.frames.replace(" ", "")
    names = {key: value for key, value in (("show", settings.show), ("shot", settings.shot)) if value}
    job_outline = outline.Outline(settings.name, frame_range=frame_range, **names)
    layer = outline.modules.shell.Shell(
        LAYER_NAME,
        command=chunk_command(job_path, settings.executable),
        range=frame_range,
        chunk=job.chunk,
        service=settings.service,
    )
    job_outline.add_layer(layer)
    return job_outline


def serialize_outline(job_outline: outline.Outline) -> str:
    """The job spec XML Cuebot accepts, from pyoutline's own serializer (commands run directly,
    without pycuerun). pyoutline stages a session folder while serializing; it goes to a
    temporary folder that is removed afterwards, since nothing runs from it."""
    config = outline.config
    previous = config.get("outline", "session_dir", raw=True)
    with tempfile.TemporaryDirectory(prefix="hyperseg-opencue-") as scratch:
        config.set("outline", "session_dir", scratch)
        try:
            return outline.cuerun.OutlineLauncher(job_outline).serialize(use_pycuerun=False)
        finally:
            config.set("outline", "session_dir", previous)


def emit_opencue(
    job: BatchJob, job_path: str | os.PathLike[str], spec_path: str | os.PathLike[str], settings: OpenCueSettings
) -> str:
    """Write the OpenCue job spec for ``job`` to ``spec_path`` atomically; returns the XML."""
    xml = serialize_outline(build_outline(job, job_path, settings))
    write_text_atomic(spec_path, xml)
    return xml
