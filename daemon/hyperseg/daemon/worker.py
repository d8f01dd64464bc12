"""One model worker per device: a queue in front of the Predictor, feature caching, latest wins.

Requests wait in a FIFO queue. A queued request whose client sends a newer one for the same frame
is dropped (SupersededError), as is one whose caller went away (CancelledError) or whose deadline
passed while it waited (DeadlineError). The worker looks the frame's encoding up in the
FeatureCache and runs the backbone only on a miss; a click on a cached frame runs only the cheap
click path. The last prediction of each caller (``latest_key``) on a frame is kept, so a click that
adds to that caller's clicks runs the predictor's focus crop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Hashable
from concurrent.futures import Future
from dataclasses import dataclass, field

from hyperseg.daemon.encoding_cache import EncodingKey, FeatureCache
from hyperseg.daemon.frame_store import StoredFrame
from hyperseg.daemon.segmentation_model import Prediction, SegmentationModel
from hyperseg.imageio import rewindow
from hyperseg.protocol.errors import CancelledError, DeadlineError, SupersededError, UnavailableError

log = logging.getLogger("hyperseg.daemon")

#: Callers whose last prediction is kept for the focus crop (a 2K prediction holds ~90 MB, and its frame's
#: walker factor ~30 MB).
KEPT_PREDICTIONS = 4


@dataclass
class SegmentJob:
    """One segmentation waiting for the model. ``deadline`` is on the time.monotonic() clock.

    Clicks are on the frame's data window (``clicks_on_plane``); the previous frame is re-cut to
    that window before the model sees it.
    """

    frame: StoredFrame
    previous: StoredFrame | None
    positive: list[tuple[float, float]]
    negative: list[tuple[float, float]]
    proxy: float = 1.0
    latest_key: Hashable | None = None
    refine: tuple[int, ...] | None = (0,)  # hypotheses the caller gets (their boundary band is re-solved); None: all
    deadline: float | None = None
    enqueued: float = field(default_factory=time.monotonic)
    future: Future = field(default_factory=Future)


@dataclass(frozen=True)
class SegmentOutcome:
    prediction: Prediction
    queue_ms: float
    encode_ms: float
    predict_ms: float
    cache_hit: bool


class ModelWorker:
    """Runs SegmentJobs one at a time on ``predictor`` in its own thread."""

    def __init__(self, predictor: SegmentationModel, cache: FeatureCache) -> None:
        self.predictor = predictor
        self.cache = cache
        self.encode_calls = 0
        self.superseded = 0
        self._queue: deque[SegmentJob] = deque()
        self._latest: dict[Hashable, SegmentJob] = {}
        self._kept: OrderedDict[Hashable, Prediction] = OrderedDict()  # latest_key -> its last Prediction
        self._condition = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=f"hyperseg-worker-{predictor.device}", daemon=True)
        self._thread.start()

    @property
    def queued(self) -> int:
        with self._condition:
            return len(self._queue)

    def submit(self, job: SegmentJob) -> Future:
        """Queue ``job``; a queued job with the same ``latest_key`` is superseded by it."""
        with self._condition:
            if self._closed:
                raise UnavailableError("the daemon is shutting down and takes no new work")
            if job.latest_key is not None:
                older = self._latest.get(job.latest_key)
                if older is not None and older in self._queue:
                    self._queue.remove(older)
                    self.superseded += 1
                    older.future.set_exception(
                        SupersededError("superseded by a newer request from the same client for the same frame")
                    )
                self._latest[job.latest_key] = job
            self._queue.append(job)
            self._condition.notify()
        return job.future

    def cancel(self, job: SegmentJob) -> None:
        """Drop ``job`` if it is still queued (its caller went away)."""
        with self._condition:
            if job in self._queue:
                self._queue.remove(job)
                self._forget(job)
                job.future.set_exception(CancelledError("the client cancelled the request"))

    def stop(self, timeout: float | None = None) -> None:
        """Take no new work, finish what is queued, then end the thread."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()
        self._thread.join(timeout)

    def _forget(self, job: SegmentJob) -> None:
        if job.latest_key is not None and self._latest.get(job.latest_key) is job:
            del self._latest[job.latest_key]

    def _next(self) -> SegmentJob | None:
        with self._condition:
            while not self._queue and not self._closed:
                self._condition.wait()
            if not self._queue:
                return None
            job = self._queue.popleft()
            self._forget(job)
            return job

    def _run(self) -> None:
        while (job := self._next()) is not None:
            started = time.monotonic()
            if job.deadline is not None and started > job.deadline:
                waited = (started - job.enqueued) * 1000
                job.future.set_exception(
                    DeadlineError(f"the deadline passed after {waited:.0f} ms waiting for the model worker")
                )
                continue
            try:
                job.future.set_result(self._segment(job, started))
            except Exception as error:  # every failure goes back to its caller
                job.future.set_exception(error)

    def _segment(self, job: SegmentJob, started: float) -> SegmentOutcome:
        predictor = self.predictor
        key = EncodingKey(
            job.frame.sha256,
            job.previous.sha256 if job.previous is not None else None,
            float(job.proxy),
            predictor.checkpoint_id,
        )
        encoding = self.cache.get(key)
        cache_hit = encoding is not None
        encode_start = time.monotonic()
        if encoding is None:
            previous = None
            if job.previous is not None:
                previous = rewindow(job.previous.rgb, job.previous.data_window, job.frame.data_window)
            encoding = predictor.encode_frame(job.frame.rgb, previous=previous, proxy=job.proxy)
            self.encode_calls += 1
            self.cache.put(key, encoding)
        predict_start = time.monotonic()
        previous = self._kept.get(job.latest_key) if job.latest_key is not None else None
        prediction = predictor.predict_encoded(encoding, positive=job.positive, negative=job.negative,
                                               previous=previous, refine=job.refine)
        if job.latest_key is not None:
            self._kept[job.latest_key] = prediction
            self._kept.move_to_end(job.latest_key)
            while len(self._kept) > KEPT_PREDICTIONS:
                self._kept.popitem(last=False)
        done = time.monotonic()
        return SegmentOutcome(
            prediction=prediction,
            queue_ms=(started - job.enqueued) * 1000,
            encode_ms=0.0 if cache_hit else (predict_start - encode_start) * 1000,
            predict_ms=(done - predict_start) * 1000,
            cache_hit=cache_hit,
        )
