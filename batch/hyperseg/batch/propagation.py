"""``hyperseg batch --propagate``: the job's clicks follow the plate, tracked on its display windows.

Forward (``ForwardJobPropagation``), tracking and segmentation take turns frame by frame from the
range's first frame (``hyperseg.model.propagation``'s ``TrackingPass``): each frame's alpha, as
its EXR holds it, is told to the pass, which re-seeds a lost positive click from it on the next
frame (``TrackerConfig.reseed``). A chunk of a farm run starts from the range's first frame too,
segmenting (or reading back complete outputs of) the frames before it without writing them, so it
gets exactly one run's clicks and pixels. Backward and both (``propagate_job_clicks``), the clicks
are tracked over the whole range first, without re-seeding. The tracked clicks are saved as a
plain ``clicks.json`` beside the outputs (``BatchJob.tracked_clicks``) that the node imports, by
every run that reaches the range's last frame.
"""

from __future__ import annotations

import numpy as np

from hyperseg.batch.job import BatchJob
from hyperseg.imageio import network_rgb, read_image
from hyperseg.protocol.clicks import Point
from hyperseg.protocol.clicktracks import ClickTracks
from hyperseg.protocol.errors import HypersegError


def _plate_rgb(job: BatchJob):
    plates = job.plate_pattern

    def rgb(frame: int) -> np.ndarray:
        try:
            return network_rgb(read_image(plates.path(frame)).to_display_window(), job.colorspace)
        except HypersegError as exc:
            raise type(exc)(f"--propagate tracks through every plate frame of the range: {exc}") from None

    return rgb


def propagate_job_clicks(job: BatchJob, tracks: ClickTracks) -> tuple[ClickTracks, list[str]]:
    """``tracks`` followed through the job's range as ``job.propagate`` says, saved to
    ``job.tracked_clicks``; with one line for each click the tracker switched off."""
    from hyperseg.model.propagation.click_propagation import propagate_clicks

    result = propagate_clicks(tracks, job.frame_list, _plate_rgb(job), job.propagate or "forward")
    job.out_pattern.directory.mkdir(parents=True, exist_ok=True)
    result.tracks.save(job.tracked_clicks)
    return result.tracks, [event.describe() for event in result.switched_off]


class ForwardJobPropagation:
    """The job's clicks stepped forward through its range, told each frame's alpha (display window)."""

    def __init__(self, job: BatchJob, tracks: ClickTracks) -> None:
        from hyperseg.model.propagation.click_propagation import TrackingPass, stepping_grays

        self.job = job
        rgb = _plate_rgb(job)
        for frame in job.frame_list:  # a missing plate stops the run before any frame, as tracking first does
            if not job.plate_pattern.path(frame).is_file():
                rgb(frame)
        self._pass = TrackingPass(tracks, stepping_grays(rgb), "forward")

    def step(self, frame: int) -> tuple[list[Point], list[Point]]:
        return self._pass.step(frame)

    def segmented(self, alpha: np.ndarray | None) -> None:
        if alpha is not None:
            self._pass.segmented(alpha)

    def finish(self, complete: bool) -> list[str]:
        """One line per switch-off so far; with ``complete`` (the range's last frame was reached) the
        tracked clicks saved to ``job.tracked_clicks``."""
        result = self._pass.result(self.job.frame_list)
        if complete:
            self.job.out_pattern.directory.mkdir(parents=True, exist_ok=True)
            result.tracks.save(self.job.tracked_clicks)
        return [event.describe() for event in result.switched_off]
