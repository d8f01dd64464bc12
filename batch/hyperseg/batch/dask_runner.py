"""Run a batch job across a Dask cluster: one task per chunk of ``job.chunk`` frames.

Each chunk runs a :class:`~hyperseg.batch.runner.BatchRunner` on a worker, which reads the
frame before the chunk itself for previous-frame context, so a chunked run writes the same
frames as an in-order local run. Workers keep their segmenter (a loaded model or a daemon
connection) between chunks. ``scheduler`` is a scheduler address (``tcp://host:8786``) or
``local:N`` for a :class:`distributed.LocalCluster` of N worker processes on this machine.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Iterator, Sequence

from distributed import Client, LocalCluster, as_completed
from tqdm import tqdm

from hyperseg.batch.job import BatchJob
from hyperseg.batch.runner import BatchReport, BatchRunner, FrameFailure
from hyperseg.batch.segmenter import Segmenter, SegmenterSettings, segmenter_for
from hyperseg.protocol.clicktracks import ClickTracks
from hyperseg.protocol.errors import InputError
from hyperseg.protocol.framerange import chunk_frames, format_frame_range


def run_on_dask(
    job: BatchJob,
    scheduler: str,
    frames: Sequence[int] | None = None,
    *,
    resume: bool = False,
    progress: bool = True,
) -> BatchReport:
    """Segment ``frames`` (default: the whole job) in chunks on the cluster at ``scheduler``."""
    frames = job.frame_list if frames is None else list(frames)
    chunks = chunk_frames(frames, job.chunk)
    start = time.perf_counter()
    with _connect(scheduler) as client:
        futures = {
            client.submit(run_chunk, job, chunk, resume, key=f"hyperseg-{format_frame_range(chunk)}"): chunk
            for chunk in chunks
        }
        reports: list[BatchReport] = []
        with tqdm(total=len(frames), unit="frame", desc="hyperseg batch (dask)", disable=not progress) as bar:
            for future in as_completed(futures):
                chunk = futures[future]
                if future.status == "error":
                    reason = f"chunk {format_frame_range(chunk)} failed on its worker: {future.exception()!r}"
                    reports.append(BatchReport(failed=[FrameFailure(f, reason) for f in chunk]))
                else:
                    reports.append(future.result())
                bar.update(len(chunk))
    return BatchReport.merged(reports, time.perf_counter() - start)


def run_chunk(job: BatchJob, frames: list[int], resume: bool) -> BatchReport:
    """One Dask task: run ``frames`` of ``job`` on this worker, in order."""
    segmenter = _worker_segmenter(job.segmenter_settings)
    runner = BatchRunner(job, segmenter, ClickTracks.load(job.clicks), resume=resume, progress=False)
    return runner.run(frames)


@functools.lru_cache(maxsize=2)
def _worker_segmenter(settings: SegmenterSettings) -> Segmenter:
    """This worker's segmenter for ``settings``, built once and kept for its later chunks."""
    return segmenter_for(settings)


@contextlib.contextmanager
def _connect(scheduler: str) -> Iterator[Client]:
    if scheduler.startswith("local"):
        _, _, count = scheduler.partition(":")
        if (count and not count.isdigit()) or count == "0":
            raise InputError(f"--dask {scheduler!r}: use local:N with N worker processes, e.g. local:2")
        cluster = LocalCluster(
            n_workers=int(count or 2), threads_per_worker=1, processes=True, dashboard_address=None
        )
        with cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(scheduler, timeout="20s")
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        yield client
