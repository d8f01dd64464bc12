"""``hyperseg batch --propagate``: the job's clicks follow the plate before any frame is segmented.

The clicks are tracked (``hyperseg.model.propagation``) over the job's whole range from their
keys, on the plate's display windows, and saved as a plain ``clicks.json`` beside the outputs
(``BatchJob.tracked_clicks``) that the node imports. Every run, and every chunk of a farm run,
tracks the whole range from the same keys, so a chunk gets exactly the clicks of one run and its
frames exactly its pixels; tracking reads each plate frame once more than segmenting does.
"""

from __future__ import annotations

from hyperseg.batch.job import BatchJob
from hyperseg.imageio import network_rgb, read_image
from hyperseg.protocol.clicktracks import ClickTracks
from hyperseg.protocol.errors import HypersegError


def propagate_job_clicks(job: BatchJob, tracks: ClickTracks) -> tuple[ClickTracks, list[str]]:
    """``tracks`` followed through the job's range as ``job.propagate`` says, saved to
    ``job.tracked_clicks``; with one line for each click the tracker switched off."""
    from hyperseg.model.propagation.click_propagation import propagate_clicks

    plates = job.plate_pattern

    def rgb(frame: int):
        try:
            return network_rgb(read_image(plates.path(frame)).to_display_window(), job.colorspace)
        except HypersegError as exc:
            raise type(exc)(f"--propagate tracks through every plate frame of the range: {exc}") from None

    result = propagate_clicks(tracks, job.frame_list, rgb, job.propagate or "forward")
    job.out_pattern.directory.mkdir(parents=True, exist_ok=True)
    result.tracks.save(job.tracked_clicks)
    return result.tracks, [event.describe() for event in result.switched_off]
