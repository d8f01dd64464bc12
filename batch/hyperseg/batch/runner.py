"""Run a batch job over its frames, in order, one EXR alpha per frame.

Frames run in the job's order; frame ``t`` gets the job's preceding frame as its previous-frame
context (none for the job's first frame), so any subset of frames (a farm chunk) produces the
same pixels as a whole run. Outputs are written atomically with the frame number, that frame's
clicks and the checkpoint id in their metadata. With ``resume`` a frame whose output is a
complete EXR made from the same clicks is skipped; a partial, corrupt or stale one is redone.
With ``job.propagate`` every frame is segmented from its tracked clicks
(``hyperseg.batch.propagation``): forward, tracking and segmentation take turns from the range's
first frame, so a chunk first segments (or reads back) the frames before it, unwritten, and gets
one run's clicks and pixels; backward and both, the clicks follow the whole range first.
A daemon that is briefly unreachable is waited for by the segmenter's client (gRPC's own
reconnect back-off and retry policy); one that stays down fails its frame and the rest of the run.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from hyperseg.batch.job import BatchJob
from hyperseg.batch.segmenter import PlateFrame, Segmenter, write_segmentation
from hyperseg.imageio import (
    ALPHA_CHANNEL,
    HYPOTHESIS_PREFIX,
    is_complete_exr,
    read_image,
    rewindow,
)
from hyperseg.imageio.atomic_write import stale_temp_files
from hyperseg.protocol.alpha_exr import CLICKS, FRAME, clicks_json
from hyperseg.protocol.clicks import Point
from hyperseg.protocol.clicktracks import ClickTracks
from hyperseg.protocol.errors import InputError, UnavailableError, WriteError


@dataclass(frozen=True)
class FrameFailure:
    frame: int
    reason: str
    daemon_down: bool = False


@dataclass
class BatchReport:
    """What a run did: frames written, frames skipped as already complete, failures with reasons,
    and the clicks propagation switched off."""

    written: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[FrameFailure] = field(default_factory=list)
    seconds: float = 0.0
    switched_off: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    @classmethod
    def merged(cls, reports: Sequence[BatchReport], seconds: float) -> BatchReport:
        """One report for several chunks run side by side in ``seconds`` of wall time."""
        return cls(
            written=sorted(f for r in reports for f in r.written),
            skipped=sorted(f for r in reports for f in r.skipped),
            failed=sorted((f for r in reports for f in r.failed), key=lambda f: f.frame),
            seconds=seconds,
            switched_off=list(dict.fromkeys(line for r in reports for line in r.switched_off)),
        )

    def summary(self) -> str:
        total = len(self.written) + len(self.skipped) + len(self.failed)
        rate = len(self.written) / self.seconds if self.seconds > 0 else 0.0
        lines = [
            f"{total} frames: {len(self.written)} written, {len(self.skipped)} already complete, "
            f"{len(self.failed)} failed in {self.seconds:.1f} s ({rate:.2f} frames/s)"
        ]
        if self.switched_off:
            lines.append("clicks switched off by propagation:")
            lines.extend(f"  {line}" for line in self.switched_off)
        if self.failed:
            lines.append("failed frames:")
            lines.extend(f"  {f.frame}: {f.reason}" for f in self.failed)
        return "\n".join(lines)


class BatchRunner:
    """Runs frames of one job through one segmenter."""

    def __init__(
        self,
        job: BatchJob,
        segmenter: Segmenter,
        tracks: ClickTracks,
        *,
        resume: bool = False,
        progress: bool = True,
    ) -> None:
        self.job = job
        self.segmenter = segmenter
        self.tracks = tracks
        self.resume = resume
        self.progress = progress
        self._all_frames = job.frame_list
        self._previous_of = dict(zip(self._all_frames[1:], self._all_frames[:-1]))
        self._plates = job.plate_pattern
        self._outs = job.out_pattern
        self._last_plate: PlateFrame | None = None
        self._last_alpha: np.ndarray | None = None

    def run(self, frames: Sequence[int] | None = None) -> BatchReport:
        """Segment ``frames`` (default: the whole job), which must all belong to the job's range."""
        chosen = self._all_frames if frames is None else sorted(set(frames))
        outside = sorted(set(chosen) - set(self._all_frames))
        if outside:
            raise InputError(f"frames {outside[:5]} are not in the job's range {self.job.frames}")
        try:
            self._outs.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise WriteError(f"cannot create the output folder {self._outs.directory}: {error.strerror}") from None
        report = BatchReport()
        start = time.perf_counter()
        bar = tqdm(total=len(chosen), unit="frame", desc="hyperseg batch", disable=not self.progress)
        try:
            if self.job.propagate == "forward":
                self._run_tracking_forward(chosen, report, bar)
            else:
                tracks = self.tracks
                if self.job.propagate:
                    from hyperseg.batch.propagation import propagate_job_clicks

                    tracks, report.switched_off = propagate_job_clicks(self.job, self.tracks)
                for index, frame in enumerate(chosen):
                    if self._record(frame, self._run_frame(frame, *tracks.at(frame)), report, chosen[index + 1 :], bar):
                        break
        finally:
            bar.close()
        report.seconds = time.perf_counter() - start
        return report

    def _run_tracking_forward(self, chosen: list[int], report: BatchReport, bar: tqdm) -> None:
        """Forward propagation interleaved with segmentation (``hyperseg.batch.propagation``): from the
        range's first frame to the last chosen one, each frame's alpha re-seeding lost clicks on the next;
        frames before ``chosen`` are segmented (or their complete outputs read) but not written."""
        from hyperseg.batch.propagation import ForwardJobPropagation

        propagation = ForwardJobPropagation(self.job, self.tracks)
        wanted = set(chosen)
        for frame in self._all_frames[: self._all_frames.index(chosen[-1]) + 1]:
            positive, negative = propagation.step(frame)
            outcome = self._run_frame(frame, positive, negative, write=frame in wanted)
            if frame in wanted:
                rest = [f for f in chosen if f > frame]
                if self._record(frame, outcome, report, rest, bar):
                    break
            elif isinstance(outcome, FrameFailure) and outcome.daemon_down:
                report.failed.extend(FrameFailure(f, f"not attempted: frame {frame}, which propagation segments "
                                                     f"first, failed: {outcome.reason}", daemon_down=True)
                                     for f in chosen)
                bar.update(len(chosen))
                break
            if not isinstance(outcome, FrameFailure):
                propagation.segmented(self._last_alpha)
        report.switched_off = propagation.finish(chosen[-1] == self._all_frames[-1])

    @staticmethod
    def _record(frame: int, outcome: bool | FrameFailure, report: BatchReport, rest: Sequence[int], bar: tqdm) -> bool:
        """``frame``'s outcome in ``report``; True when the daemon stayed down (``rest`` failed unattempted)."""
        bar.update(1)
        if isinstance(outcome, FrameFailure):
            report.failed.append(outcome)
            if outcome.daemon_down:
                report.failed.extend(FrameFailure(f, "not attempted: the daemon stayed unreachable") for f in rest)
                return True
        elif outcome:
            report.written.append(frame)
        else:
            report.skipped.append(frame)
        return False

    def _run_frame(self, frame: int, positive: list[Point], negative: list[Point],
                   write: bool = True) -> bool | FrameFailure:
        """True when written, False when skipped as complete, a FrameFailure otherwise. Either way the
        frame's alpha is left in ``_last_alpha`` (display window); with ``write`` False a complete output
        is read back and anything else is segmented without writing."""
        out = self._outs.path(frame)
        remove_stale_temp_files(out)
        clicks = clicks_json(positive, negative)
        if (self.resume or not write) and self._is_done(out, frame, clicks):
            self._last_alpha = read_image(out).to_display_window().channel(ALPHA_CHANNEL)
            return False
        if not positive:
            return FrameFailure(frame, f"no positive click on frame {frame}: every positive click is off there")
        plate = self._plate(frame)
        previous_frame = self._previous_of.get(frame)
        previous = None if previous_frame is None else self._plate(previous_frame)
        if self.segmenter.reads_plates:
            for name, source in (("plate", plate), ("previous frame's plate", previous)):
                try:
                    if source is not None:
                        _ = source.rgb  # read now, so a bad file is named as the plate or the previous one
                except Exception as exc:
                    return FrameFailure(frame, f"{name} {source.frame}: {type(exc).__name__}: {exc}")
        try:
            result = self.segmenter.segment(plate, previous, positive, negative)
            if write:
                write_segmentation(out, result, positive, negative, frame=frame)
            self._last_plate = plate
        except UnavailableError as exc:
            return FrameFailure(frame, str(exc), daemon_down=True)
        except Exception as exc:  # a farm run records the frame and goes on to the next one
            return FrameFailure(frame, f"{type(exc).__name__}: {exc}")
        # what the EXR holds (half float), so a frame read back re-seeds exactly as one segmented here
        alpha = result.alpha.astype(np.float16).astype(np.float32)
        self._last_alpha = rewindow(alpha, result.data_window, result.display_window)
        return True

    def _plate(self, frame: int) -> PlateFrame:
        if self._last_plate is not None and self._last_plate.frame == frame:
            return self._last_plate
        return PlateFrame(frame, self._plates.path(frame), self.job.colorspace)

    def _is_done(self, out: Path, frame: int, clicks: str) -> bool:
        channels = [ALPHA_CHANNEL]
        if self.job.hypotheses == "all":
            channels.append(f"{HYPOTHESIS_PREFIX}0")
        if not is_complete_exr(out, channels):
            return False
        recorded = read_image(out).hyperseg_metadata
        return recorded.get(FRAME) == str(frame) and recorded.get(CLICKS) == clicks


def remove_stale_temp_files(out: Path) -> list[Path]:
    """Delete temp files a killed writer left beside ``out`` (``.{name}.tmp-<pid>-<hex>.exr``).

    Safe because each output frame has a single writer: the runner about to write it.
    """
    stale = stale_temp_files(out)
    for path in stale:
        path.unlink(missing_ok=True)
    return stale
