"""The HyperSeg gRPC service: checks every request, hands segmentations to the model worker.

Each handler turns HypersegErrors into the status code of ``status_mapping`` with the error's
message, logs one line per request, and keeps counters that tests and GetInfo read.
"""

from __future__ import annotations

import functools
import inspect
import logging
import threading
import time
from dataclasses import dataclass

import grpc
import numpy as np

from hyperseg.daemon.config import MAX_CHUNK_BYTES, DaemonConfig
from hyperseg.daemon.frame_paths import PathPolicy, load_path_frame
from hyperseg.daemon.frame_store import (
    FrameStore,
    StoredFrame,
    UploadBudget,
    UploadLimits,
    check_hash,
    receive_frame,
)
from hyperseg.daemon.range_tracking import ForwardRange, ForwardStates, is_forward, track_range
from hyperseg.daemon.reply_exr import encode_reply_exr
from hyperseg.daemon.segmentation_model import SegmentationModel
from hyperseg.daemon.worker import ModelWorker, SegmentJob, SegmentOutcome
from hyperseg.imageio import ALPHA_CHANNEL, decode_exr_bytes
from hyperseg.protocol.clicks import Point, check_clicks, clicks_on_plane
from hyperseg.protocol.errors import InputError, LimitExceededError, NotFoundError
from hyperseg.protocol.proxy import check_proxy
from hyperseg.protocol.status_codes import status_code
from hyperseg.protocol.version import VERSION
from hyperseg.v1 import hyperseg_pb2 as pb
from hyperseg.v1 import hyperseg_pb2_grpc as pb_grpc

log = logging.getLogger("hyperseg.daemon")

MAX_HASHES_PER_QUERY = 10_000


@dataclass(frozen=True)
class SegmentOptions:
    """What a Segment or SegmentRange request asks of every frame."""

    #: None: the scale the model answers best at, for each frame's size (``SegmentationModel.run_proxy``).
    proxy: float | None
    all_hypotheses: bool
    chosen: int
    client_id: str


@dataclass(frozen=True)
class Clicks:
    """A request's clicks as sent (display-window coordinates, for the EXR's metadata) and on the
    frame's data window (what the model gets)."""

    sent_positive: list[Point]
    sent_negative: list[Point]
    positive: list[Point]
    negative: list[Point]

    @classmethod
    def checked(cls, positive_points, negative_points, frame: StoredFrame) -> Clicks:
        sent = [check_clicks(((p.x, p.y) for p in points), sign)
                for points, sign in ((positive_points, "positive"), (negative_points, "negative"))]
        display, data = frame.display_window, frame.data_window
        return cls(sent[0], sent[1], clicks_on_plane(sent[0], "positive", display, data),
                   clicks_on_plane(sent[1], "negative", display, data))


def _peer(context: grpc.ServicerContext) -> str:
    return context.peer() or "unknown peer"


def handled(method):
    """Map HypersegErrors (and anything unexpected) to a status; count and log failures."""

    @functools.wraps(method)
    def wrapper(self: HyperSegServicer, request, context: grpc.ServicerContext):
        try:
            return method(self, request, context)
        except Exception as error:
            self._fail(method.__name__, error, context)

    @functools.wraps(method)
    def stream_wrapper(self: HyperSegServicer, request, context: grpc.ServicerContext):
        try:
            yield from method(self, request, context)
        except Exception as error:
            self._fail(method.__name__, error, context)

    return stream_wrapper if inspect.isgeneratorfunction(method) else wrapper


class HyperSegServicer(pb_grpc.HyperSegServicer):
    """Implements hyperseg.v1.HyperSeg over one model worker."""

    def __init__(self, config: DaemonConfig, predictor: SegmentationModel, worker: ModelWorker,
                 frames: FrameStore) -> None:
        self.config = config
        self.predictor = predictor
        self.worker = worker
        self.frames = frames
        self.paths = PathPolicy(config.allow_roots)
        self.upload_limits = UploadLimits(config.max_frame_pixels, config.max_channels, MAX_CHUNK_BYTES)
        self.upload_budget = UploadBudget(frames.budget_bytes)
        self._lock = threading.Lock()
        self.requests_served = 0
        self.requests_failed = 0
        self.forward_states = ForwardStates()

    # ------------------------------------------------------------------------------- counters

    @property
    def frame_bytes_received(self) -> int:
        return self.frames.bytes_received

    @property
    def encode_calls(self) -> int:
        return self.worker.encode_calls

    @property
    def cache_hits(self) -> int:
        return self.worker.cache.hits

    def counters(self) -> pb.Counters:
        cache = self.worker.cache
        return pb.Counters(
            frame_bytes_received=self.frames.bytes_received,
            frames_stored=len(self.frames),
            frame_store_bytes=self.frames.nbytes,
            encode_calls=self.worker.encode_calls,
            cache_hits=cache.hits,
            cache_misses=cache.misses,
            cache_bytes=cache.nbytes,
            cache_entries=len(cache),
            requests_served=self.requests_served,
            requests_superseded=self.worker.superseded,
            requests_failed=self.requests_failed,
            upload_bytes_reserved=self.upload_budget.reserved,
        )

    def _fail(self, method: str, error: Exception, context: grpc.ServicerContext) -> None:
        code = status_code(error)
        with self._lock:
            self.requests_failed += 1
        if code is grpc.StatusCode.INTERNAL:
            log.exception("%s from %s failed unexpectedly", method, _peer(context))
            message = f"internal error in {method}: {type(error).__name__}: {error}"
        else:
            message = str(error)
            log.info("%s from %s -> %s: %s", method, _peer(context), code.name, message)
        context.abort(code, message)

    # -------------------------------------------------------------------------------- methods

    @handled
    def GetInfo(self, request: pb.GetInfoRequest, context: grpc.ServicerContext) -> pb.Info:
        config = self.config
        return pb.Info(
            version=VERSION,
            device=str(self.predictor.device),
            checkpoint_id=self.predictor.checkpoint_id,
            backbone=self.predictor.backbone,
            hypotheses=self.predictor.hypotheses,
            limits=pb.Limits(
                max_frame_pixels=config.max_frame_pixels,
                max_clicks=config.max_clicks,
                max_chunk_bytes=MAX_CHUNK_BYTES,
                max_request_bytes=config.max_request_bytes,
                max_reply_bytes=config.max_reply_bytes,
                max_channels=config.max_channels,
                max_range_items=config.max_range_items,
                max_propagation_frames=config.max_propagation_frames,
            ),
            counters=self.counters(),
            cache_budget_bytes=self.worker.cache.budget_bytes,
            auth_required=config.token is not None,
            tls=config.tls,
            model={str(k): str(v) for k, v in self.predictor.describe().items()},
        )

    @handled
    def MissingFrames(self, request: pb.MissingFramesRequest, context) -> pb.MissingFramesReply:
        if len(request.hashes) > MAX_HASHES_PER_QUERY:
            raise LimitExceededError(
                f"{len(request.hashes)} hashes in one query, over the limit of {MAX_HASHES_PER_QUERY}"
            )
        for sha256 in request.hashes:
            check_hash(sha256)
        return pb.MissingFramesReply(missing=self.frames.missing(request.hashes))

    @handled
    def UploadFrame(self, request_iterator, context) -> pb.UploadFrameReply:
        start = time.monotonic()
        received = 0

        def count(n: int) -> None:
            nonlocal received
            received += n
            self.frames.count_bytes(n)

        frame = receive_frame(request_iterator, self.upload_limits, self.upload_budget, on_bytes=count)
        self.frames.add(frame)
        width, height = frame.size
        log.info(
            "UploadFrame from %s: %s %dx%d, %d bytes in %.0f ms",
            _peer(context), frame.sha256[:12], width, height, received, (time.monotonic() - start) * 1000,
        )
        return pb.UploadFrameReply(sha256=frame.sha256, bytes_received=received)

    @handled
    def Segment(self, request: pb.SegmentRequest, context) -> pb.SegmentReply:
        options = self._options(request.proxy if request.HasField("proxy") else None, request.hypotheses,
                                request.hypothesis if request.HasField("hypothesis") else None,
                                request.client_id)
        frame_number = request.frame_number if request.HasField("frame_number") else None
        return self._segment(request.frame, request, request.positive, request.negative, frame_number,
                             options, context)

    @handled
    def SegmentRange(self, request: pb.SegmentRangeRequest, context):
        if len(request.items) > self.config.max_range_items:
            raise LimitExceededError(
                f"{len(request.items)} frames in one SegmentRange, over the limit of"
                f" {self.config.max_range_items}: split the range"
            )
        options = self._options(request.proxy if request.HasField("proxy") else None, request.hypotheses,
                                request.hypothesis if request.HasField("hypothesis") else None, "")
        if request.HasField("propagation") and is_forward(request.propagation):
            yield from self._segment_forward(request, options, context)
            return
        tracked = None
        if request.HasField("propagation"):
            tracked = track_range(request.propagation, request.items, self._frame,
                                  self.config.max_propagation_frames, self.config.max_clicks)
            log.info("SegmentRange from %s: %d clicks tracked through %d frames in %.0f ms, %d switched off",
                     _peer(context), len(tracked.tracks.tracks), len(request.propagation.frames),
                     tracked.seconds * 1000, len(tracked.switched_off))
        for index, item in enumerate(request.items):
            frame_number = item.frame_number if item.HasField("frame_number") else None
            label = f"frame {frame_number}" if frame_number is not None else f"item {index}"
            try:
                positive, negative = item.positive, item.negative
                if tracked is not None:
                    positive, negative = tracked.clicks_on(item.frame_number)
                if tracked is not None and not positive and not negative:
                    reply = self._empty_reply(item.frame, frame_number, options)
                else:
                    reply = self._segment(item.frame, item, positive, negative, frame_number, options, context)
            except InputError as error:
                raise type(error)(f"{label}: {error}") from error
            except NotFoundError as error:
                raise NotFoundError(f"{label}: {error}") from error
            if tracked is not None:
                tracked.fill(reply, item.frame_number, first=index == 0)
            yield reply

    def _segment_forward(self, request: pb.SegmentRangeRequest, options: SegmentOptions, context):
        """SegmentRange with forward propagation: tracking and segmentation take turns frame by frame
        (``range_tracking.ForwardRange``); propagation frames before the last item that are not items are
        segmented for their alpha alone, as their items would be (``TrackFrame.previous``)."""
        forward = ForwardRange(request.propagation, request.items, self._frame,
                               self.config.max_propagation_frames, self.config.max_clicks,
                               f"proxy {options.proxy} hypothesis {options.chosen}".encode())
        items = {item.frame_number: item for item in request.items}
        numbers = [n for n in forward.frames if n <= max(items, default=min(forward.frames))]
        skipped = forward.resume(self.forward_states, min(items, default=min(forward.frames)))
        for number in numbers[skipped:]:
            positive, negative = forward.step(number)
            entry = forward.frames[number]
            item = items.get(number) or pb.SegmentRangeItem(frame=entry.frame, frame_number=number,
                                                            previous=entry.previous if entry.HasField("previous")
                                                            else None)
            try:
                if positive or negative:
                    reply = self._segment(item.frame, item, positive, negative, number, options, context)
                else:
                    reply = self._empty_reply(item.frame, number, options)
            except InputError as error:
                raise type(error)(f"frame {number}: {error}") from error
            except NotFoundError as error:
                raise NotFoundError(f"frame {number}: {error}") from error
            if positive or negative:
                forward.segmented(decode_exr_bytes(reply.exr).to_display_window().channel(ALPHA_CHANNEL))
            if number in items:
                forward.tracked().fill(reply, number, first=number == request.items[0].frame_number)
                yield reply
        forward.keep(self.forward_states)
        log.info("SegmentRange from %s: %d clicks tracked forward through %d frames (%d picked up where an"
                 " earlier request stopped) in %.0f ms", _peer(context), len(forward.tracked().tracks.tracks),
                 len(numbers), skipped, forward.seconds * 1000)

    # ---------------------------------------------------------------------------------- parts

    def _options(self, proxy: float | None, hypotheses: int, chosen: int | None, client_id: str) -> SegmentOptions:
        proxy = None if proxy is None else check_proxy(proxy)
        if hypotheses not in (pb.HYPOTHESES_UNSPECIFIED, pb.HYPOTHESES_BEST, pb.HYPOTHESES_ALL):
            raise InputError(f"hypotheses must be BEST or ALL, got {hypotheses}")
        count = self.predictor.hypotheses
        chosen = 0 if chosen is None else chosen
        if chosen >= count:
            raise InputError(f"hypothesis {chosen} does not exist: this model gives {count} (0..{count - 1})")
        return SegmentOptions(proxy, hypotheses == pb.HYPOTHESES_ALL, chosen, client_id)

    def _frame(self, ref: pb.FrameRef, role: str) -> StoredFrame:
        kind = ref.WhichOneof("ref")
        if kind == "sha256":
            check_hash(ref.sha256)
            frame = self.frames.get(ref.sha256)
            if frame is None:
                raise NotFoundError(
                    f"{role} {ref.sha256[:12]}... is not on the daemon (never uploaded, or evicted):"
                    " upload it (MissingFrames, UploadFrame) and retry"
                )
            return frame
        if kind == "path":
            return load_path_frame(self.paths.resolve(ref.path), self.config.max_frame_pixels,
                                   self.config.path_read_seconds, ref.colorspace)
        raise InputError(f"{role} reference is empty: set sha256 or path")

    def _segment(self, frame_ref, request, positive_points, negative_points, frame_number: int | None,
                 options: SegmentOptions, context: grpc.ServicerContext) -> pb.SegmentReply:
        """One frame of a Segment or SegmentRange call: limits, lookup, validation, queue, EXR, log."""
        arrived = time.monotonic()
        self._check_click_count(len(positive_points) + len(negative_points))
        frame, previous = self._lookup(frame_ref, request)
        clicks, proxy = self._validate(frame, previous, positive_points, negative_points, options)
        outcome = self._queue(frame, previous, clicks, proxy, frame_number, options, arrived, context)
        return self._reply(frame, clicks, proxy, frame_number, options, outcome, arrived, context)

    def _empty_reply(self, frame_ref: pb.FrameRef, frame_number: int, options: SegmentOptions) -> pb.SegmentReply:
        """A propagated frame where every click is off: an all-zero alpha, scores 0, no model run."""
        frame = self._frame(frame_ref, "frame")
        count = self.predictor.hypotheses
        masks = np.zeros((count, frame.data_window.height, frame.data_window.width), dtype=np.float32)
        exr = encode_reply_exr(masks, options.chosen, options.all_hypotheses, frame, frame_number=frame_number,
                               positive=[], negative=[], checkpoint_id=self.predictor.checkpoint_id)
        return self._served(frame, exr, [0.0] * count, pb.Timings(), frame_number, options)

    def _check_click_count(self, clicks: int) -> None:
        if clicks > self.config.max_clicks:
            raise LimitExceededError(f"{clicks} clicks, over this daemon's limit of {self.config.max_clicks}")

    def _lookup(self, frame_ref: pb.FrameRef, request) -> tuple[StoredFrame, StoredFrame | None]:
        """The frame and (when the request names one) the previous frame."""
        frame = self._frame(frame_ref, "frame")
        previous = self._frame(request.previous, "previous frame") if request.HasField("previous") else None
        return frame, previous

    def _validate(self, frame: StoredFrame, previous: StoredFrame | None, positive_points, negative_points,
                  options: SegmentOptions) -> tuple[Clicks, float]:
        """Everything about the request that can be checked before it waits for the model: its clicks,
        and the proxy the frame runs at (refused here if out of range or too few pixels at that scale)."""
        if previous is not None and previous.display_window != frame.display_window:
            raise InputError(
                f"previous frame is {previous.size[0]}x{previous.size[1]}, frame is {frame.size[0]}x{frame.size[1]}"
                if previous.size != frame.size else
                f"previous frame's display window {previous.display_window} is not the frame's"
                f" {frame.display_window}"
            )
        proxy = self.predictor.run_proxy(frame.rgb.shape[1], frame.rgb.shape[0], options.proxy)
        clicks = Clicks.checked(positive_points, negative_points, frame)
        if not clicks.sent_positive and not clicks.sent_negative:
            raise InputError("no clicks: give at least one positive or negative click")
        return clicks, proxy

    def _queue(self, frame: StoredFrame, previous: StoredFrame | None, clicks: Clicks, proxy: float,
               frame_number: int | None, options: SegmentOptions, arrived: float,
               context: grpc.ServicerContext) -> SegmentOutcome:
        """Hand the job to the model worker and wait; latest wins per (client id, frame)."""
        remaining = context.time_remaining()
        key = None
        if options.client_id:
            key = (options.client_id, frame_number if frame_number is not None else frame.sha256)
        job = SegmentJob(
            frame, previous, clicks.positive, clicks.negative, proxy, latest_key=key,
            refine=None if options.all_hypotheses else (options.chosen,),
            deadline=None if remaining is None else arrived + remaining,
        )
        self.worker.submit(job)
        context.add_callback(lambda: self.worker.cancel(job))
        return job.future.result()

    def _reply(self, frame: StoredFrame, clicks: Clicks, proxy: float, frame_number: int | None,
               options: SegmentOptions, outcome: SegmentOutcome, arrived: float,
               context: grpc.ServicerContext) -> pb.SegmentReply:
        """The reply EXR, timings, counters and the request's log line."""
        exr_start = time.monotonic()
        exr = encode_reply_exr(
            outcome.prediction.masks, options.chosen, options.all_hypotheses, frame, frame_number=frame_number,
            positive=clicks.sent_positive, negative=clicks.sent_negative,
            checkpoint_id=self.predictor.checkpoint_id,
        )
        done = time.monotonic()
        timings = pb.Timings(
            queue_ms=outcome.queue_ms, encode_ms=outcome.encode_ms, predict_ms=outcome.predict_ms,
            exr_ms=(done - exr_start) * 1000, total_ms=(done - arrived) * 1000, cache_hit=outcome.cache_hit,
        )
        width, height = frame.size
        log.info(
            "Segment from %s client=%r frame=%s%s %dx%d clicks=%d+/%d- proxy=%g -> OK %.0f ms (%s)",
            _peer(context), options.client_id, frame.sha256[:12],
            f" #{frame_number}" if frame_number is not None else "", width, height, len(clicks.sent_positive),
            len(clicks.sent_negative), proxy, timings.total_ms,
            "cache hit" if outcome.cache_hit else "encoded",
        )
        return self._served(frame, exr, [float(s) for s in outcome.prediction.scores], timings, frame_number,
                            options)

    def _served(self, frame: StoredFrame, exr: bytes, scores: list[float], timings: pb.Timings,
                frame_number: int | None, options: SegmentOptions) -> pb.SegmentReply:
        """One frame's reply, counted as served."""
        with self._lock:
            self.requests_served += 1
        width, height = frame.size
        reply = pb.SegmentReply(exr=exr, scores=scores, chosen=options.chosen,
                                checkpoint_id=self.predictor.checkpoint_id, backbone=self.predictor.backbone,
                                timings=timings, width=width, height=height)
        if frame_number is not None:
            reply.frame_number = frame_number
        return reply
