"""The TD's Python API to a HyperSeg daemon: torch-free, runs inside a host's own Python.

    from hyperseg.plugin import Client
    with Client("localhost:50051") as client:
        result = client.segment(rgb, positive=[(120.5, 80.5)])      # (H, W, 3) float32, or a path
        result.save("alpha.1001.exr")

Frames given as arrays are uploaded once, named by content hash (the daemon is asked which hashes
it lacks first); a ``FramePlane`` also carries the frame's windows. Frames given as paths are sent
as paths for the daemon to read (a farm on shared storage), or read here (data window and both
windows) and uploaded when ``send_paths=False``. Every failure, bad arguments included, raises a
``hyperseg.protocol.errors`` class carrying the daemon's message.

``segment_range(items, propagate="forward", clicks=tracks)`` has the daemon track the clicks from
their keys through the range first (tracking runs there: the host needs neither torch nor OpenCV);
each result then carries every click's tracked position on its frame and any switch-off with its
reason, to write back as keys. Each streamed request carries the frames tracking needs from the
range's ends, so the results are those of one request over the whole range.

Retries are gRPC's own (its service config, gRFC A6): a daemon that answers UNAVAILABLE (one
draining for a restart) is asked again with jittered exponential backoff, ``retries`` more times
(gRPC allows at most 4); uploads are retried too, as the retry buffer holds the largest plane. A
daemon that is not listening yet is waited for, not retried: gRPC caps attempts at 5, too few to
outlast a restart. So the first call, and the first after the daemon was unavailable, waits up to
``connect_timeout`` seconds for it to answer (gRPC's wait-for-ready, on its own reconnect back-off),
and every call waits for the channel to be ready within its deadline.

One Client may be shared by threads. Latest wins per caller: the daemon drops a queued request
when the same caller sends a newer one for the same frame. The caller is the calling thread
unless ``caller=`` names one, so threads sharing a Client never supersede each other, and work
that hops threads (a node's) passes one ``caller`` to keep latest-wins across them.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, Union

import grpc
import numpy as np
from google.protobuf.json_format import MessageToDict

from hyperseg.imageio import Window, check_colorspace, decode_exr_bytes
from hyperseg.imageio.atomic_write import write_bytes_atomic
from hyperseg.plugin.frame_upload import FramePlane
from hyperseg.protocol.clicks import Point, check_clicks
from hyperseg.protocol.clicktracks import PROPAGATION_DIRECTIONS, ClickSwitchOff, ClickTracks
from hyperseg.protocol.errors import HypersegError, InputError, NotFoundError, UnavailableError
from hyperseg.protocol.limits import MAX_PLANE_BYTES
from hyperseg.protocol.proxy import check_proxy
from hyperseg.protocol.status_codes import error_from_rpc
from hyperseg.protocol.wire_enums import DIRECTION_NAMES, DIRECTIONS, SIGN_NAMES, SIGNS
from hyperseg.v1 import hyperseg_pb2 as pb
from hyperseg.v1 import hyperseg_pb2_grpc as pb_grpc

T = TypeVar("T")
Frame = Union[np.ndarray, str, os.PathLike, FramePlane]  # evaluated at import: Python 3.9 has no X | Y here

HYPOTHESES = {"best": pb.HYPOTHESES_BEST, "all": pb.HYPOTHESES_ALL}
MAX_REPLY_BYTES = 512 * 1024 * 1024
RANGE_BATCH = 16
TOKEN = re.compile(r"[\x21-\x7e]+")
#: gRPC makes at most 5 attempts of a call, whatever maxAttempts says.
MAX_RETRIES = 4
#: The backoff of gRPC's retry policy: the n-th retry waits a random time up to
#: min(initialBackoff * backoffMultiplier**(n-1), maxBackoff).
RETRY_BACKOFF = {"initialBackoff": "0.2s", "maxBackoff": "5s", "backoffMultiplier": 2}
#: gRPC retries a call only while everything it sent fits its per-call buffer (default 256 KiB);
#: an upload larger than the buffer is committed and never retried. Room for the largest plane.
RETRY_BUFFER_BYTES = MAX_PLANE_BYTES + 1024 * 1024


@dataclass(frozen=True)
class ClientConfig:
    """How to reach a daemon; ``Client.from_config`` builds a client from it."""

    address: str = "localhost:50051"
    token: str | None = None
    tls_ca: str | None = None
    tls: bool = False
    timeout: float = 30.0
    retries: int = 3
    connect_timeout: float = 5.0
    send_paths: bool = True


@dataclass(frozen=True)
class TrackedClick:
    """Where a propagated click is on one frame (wire coordinates), or None where it is off; a click
    propagation re-seeded (``<id>_r<frame>``, positive) appears from the frame it was re-seeded on."""

    id: str
    position: Point | None
    sign: str = "positive"


@dataclass(frozen=True)
class SegmentResult:
    """One frame's answer: the soft alpha in channel A and, when asked for, all hypotheses.

    ``alpha`` (H, W) and ``hypotheses`` (M, H, W) cover the frame's data window (its pixels; for
    most plates the display window too); ``exr_bytes`` carries both windows.
    """

    alpha: np.ndarray
    hypotheses: np.ndarray | None
    scores: np.ndarray
    exr_bytes: bytes
    checkpoint_id: str
    timings: dict[str, float] = field(default_factory=dict)
    chosen: int = 0
    frame_number: int | None = None
    backbone: str = ""
    display_window: Window | None = None
    data_window: Window | None = None
    #: With ``segment_range(..., propagate=...)``: every click on this frame, and the switch-offs here.
    clicks: tuple[TrackedClick, ...] = ()
    switched_off: tuple[ClickSwitchOff, ...] = ()

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the EXR exactly as the daemon sent it, atomically (temp file, then rename)."""
        return write_bytes_atomic(path, self.exr_bytes)


@dataclass(frozen=True)
class RangeItem:
    """One frame of a range: the frame, its clicks and optionally the previous frame for context.

    With propagation the clicks come from the tracks: give ``frame_number`` and no clicks."""

    frame: Frame
    positive: Sequence[Point] = ()
    negative: Sequence[Point] = ()
    previous: Frame | None = None
    frame_number: int | None = None
    colorspace: str | None = None


class Client:
    """A connection to one daemon, shared safely by threads (see the module docstring for what
    latest-wins means then); use as a context manager or call ``close()``."""

    def __init__(
        self,
        address: str = "localhost:50051",
        token: str | None = None,
        tls_ca: str | os.PathLike[str] | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        *,
        connect_timeout: float = 5.0,
        tls: bool = False,
        send_paths: bool = True,
        client_id: str | None = None,
    ) -> None:
        if not isinstance(address, str) or ":" not in address:
            raise InputError(f"daemon address must be host:port, got {address!r}")
        for name, seconds in (("timeout", timeout), ("connect_timeout", connect_timeout)):
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 < seconds < math.inf:
                raise InputError(f"{name} must be positive seconds, got {seconds!r}")
        if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= MAX_RETRIES:
            raise InputError(f"retries must be a whole number from 0 to {MAX_RETRIES} (gRPC's limit), got {retries!r}")
        if token is not None and (not isinstance(token, str) or not TOKEN.fullmatch(token)):
            raise InputError("token must be printable ASCII without spaces (as a bearer token is sent)")
        self.address = address
        self.timeout = float(timeout)
        self.connect_timeout = float(connect_timeout)
        self.send_paths = send_paths
        self.client_id = client_id or uuid.uuid4().hex
        self._metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self._answered = False  # whether the daemon has answered since it was last unavailable
        options = [
            ("grpc.max_receive_message_length", MAX_REPLY_BYTES),
            ("grpc.enable_retries", 1),
            ("grpc.service_config", service_config(retries)),
            ("grpc.per_rpc_retry_buffer_size", RETRY_BUFFER_BYTES),
            ("grpc.initial_reconnect_backoff_ms", 100),
            ("grpc.min_reconnect_backoff_ms", 100),
            ("grpc.max_reconnect_backoff_ms", 2000),
        ]
        if tls or tls_ca is not None:
            roots = _read_ca(tls_ca) if tls_ca is not None else None
            credentials = grpc.ssl_channel_credentials(root_certificates=roots)
            self._channel = grpc.secure_channel(address, credentials, options=options)
        else:
            self._channel = grpc.insecure_channel(address, options=options)
        self._stub = pb_grpc.HyperSegStub(self._channel)

    @classmethod
    def from_config(cls, config: ClientConfig) -> Client:
        return cls(
            config.address,
            token=config.token,
            tls_ca=config.tls_ca,
            timeout=config.timeout,
            retries=config.retries,
            connect_timeout=config.connect_timeout,
            tls=config.tls,
            send_paths=config.send_paths,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._channel.close()

    # ------------------------------------------------------------------------------------- calls

    def info(self) -> dict[str, Any]:
        """What the daemon runs: version, device, checkpoint_id, backbone, hypotheses, limits, counters."""
        reply = self._unary(self._stub.GetInfo, pb.GetInfoRequest())
        return MessageToDict(reply, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)

    def segment(
        self,
        frame: Frame,
        positive: Sequence[Point],
        negative: Sequence[Point] = (),
        previous: Frame | None = None,
        proxy: float | None = None,
        hypotheses: str = "best",
        frame_number: int | None = None,
        hypothesis: int | None = None,
        caller: str | None = None,
        colorspace: str | None = None,
    ) -> SegmentResult:
        """Segment one frame from clicks in wire coordinates (top-left origin, y down, centres +0.5).

        ``hypotheses="all"`` also returns every hypothesis; ``hypothesis`` picks which goes in A.
        ``caller`` names who latest-wins is per (default: the calling thread). ``colorspace`` is
        the colour space of frames given as paths (None: the file's own); arrays are taken as the
        network's values (``hyperseg.imageio.colour``).
        """
        request = pb.SegmentRequest(
            positive=_points(positive, "positive"),
            negative=_points(negative, "negative"),
            hypotheses=_hypotheses(hypotheses),
            client_id=self._caller_id(caller),
        )
        if proxy is not None:
            request.proxy = check_proxy(proxy)
        if hypothesis is not None:
            request.hypothesis = _whole(hypothesis, "hypothesis", 0, 2**32 - 1)
        if frame_number is not None:
            request.frame_number = _whole(frame_number, "frame_number", -(2**63), 2**63 - 1)
        planes = self._attach(request, frame, previous, colorspace)
        started = time.perf_counter()
        reply = self._with_uploads(planes, lambda: self._unary(self._stub.Segment, request))
        return _result(reply, (time.perf_counter() - started) * 1000.0)

    def segment_range(
        self,
        items: Iterable[RangeItem],
        proxy: float | None = None,
        hypotheses: str = "best",
        hypothesis: int | None = None,
        batch: int = RANGE_BATCH,
        propagate: bool | str = False,
        clicks: ClickTracks | None = None,
        only: Iterable[int] | None = None,
    ) -> Iterator[SegmentResult]:
        """Segment many frames, ``batch`` per streamed call, yielding results in order as they come.

        ``propagate`` (True or ``"forward"``, ``"backward"``, ``"both"``) tracks ``clicks`` (wire
        coordinates) through the items' frames from their keys; the items are then the whole range, in
        increasing ``frame_number``, and ``only`` (frame numbers) picks the ones to segment, so a
        resumed range is tracked as the full one was.
        """
        _whole(batch, "batch", 1, 2**31)
        if propagate is not False:
            yield from self._segment_propagated(list(items), proxy, hypotheses, hypothesis, batch,
                                                _direction(propagate), clicks, only)
            return
        if clicks is not None or only is not None:
            raise InputError("clicks= and only= go with propagate=: without it each item carries its clicks")
        pending: list[RangeItem] = []
        for item in items:
            pending.append(item)
            if len(pending) == batch:
                yield from self._segment_batch(pending, proxy, hypotheses, hypothesis)
                pending = []
        if pending:
            yield from self._segment_batch(pending, proxy, hypotheses, hypothesis)

    # ---------------------------------------------------------------------------------- internals

    def _caller_id(self, caller: str | None) -> str:
        """The client_id latest-wins keys on: this Client's id and the caller (default: this thread)."""
        if caller is not None and not isinstance(caller, str):
            raise InputError(f"caller must be a string, got {caller!r}")
        return f"{self.client_id}/{threading.get_ident() if caller is None else caller}"

    def _segment_propagated(
        self, items: list[RangeItem], proxy: float | None, hypotheses: str, hypothesis: int | None, batch: int,
        direction: str, clicks: ClickTracks | None, only: Iterable[int] | None,
    ) -> Iterator[SegmentResult]:
        """Requests of ``batch`` items, each carrying the frames tracking needs (see ``pb.Propagation``)."""
        if not isinstance(clicks, ClickTracks) or not clicks.tracks:
            raise InputError("propagate= needs clicks=: ClickTracks with at least one click")
        numbers = []
        for index, item in enumerate(items):
            if item.frame_number is None or item.positive or item.negative:
                raise InputError(f"item {index}: with propagate= give each item its frame_number and no clicks")
            numbers.append(item.frame_number)
        if numbers != sorted(set(numbers)):
            raise InputError("with propagate= the items are the range: increasing frame numbers, each once")
        wanted = set(numbers) if only is None else set(only)
        if wanted - set(numbers):
            raise InputError(f"only= names frames outside the range: {sorted(wanted - set(numbers))[:5]}")
        todo = [index for index, number in enumerate(numbers) if number in wanted]
        propagation = pb.Propagation(clicks=_wire_tracks(clicks), direction=DIRECTIONS[direction])
        for start in range(0, len(todo), batch):
            chosen = todo[start : start + batch]
            first, last = {"forward": (0, chosen[-1]), "backward": (chosen[0], len(items) - 1),
                           "both": (0, len(items) - 1)}[direction]
            yield from self._segment_batch([items[i] for i in chosen], proxy, hypotheses, hypothesis,
                                           propagation, items[first : last + 1])

    def _segment_batch(
        self, items: list[RangeItem], proxy: float | None, hypotheses: str, hypothesis: int | None,
        propagation: pb.Propagation | None = None, tracked: Sequence[RangeItem] = (),
    ) -> Iterator[SegmentResult]:
        request = pb.SegmentRangeRequest(hypotheses=_hypotheses(hypotheses), client_id=self._caller_id(None))
        if proxy is not None:
            request.proxy = check_proxy(proxy)
        if hypothesis is not None:
            request.hypothesis = _whole(hypothesis, "hypothesis", 0, 2**32 - 1)
        planes: list[FramePlane] = []
        if propagation is not None:
            request.propagation.CopyFrom(propagation)
            for item in tracked:
                entry = request.propagation.frames.add(frame_number=item.frame_number)
                planes.extend(self._attach(entry, item.frame, item.previous, item.colorspace, upload=False))
        for item in items:
            entry = request.items.add(
                positive=_points(item.positive, "positive"), negative=_points(item.negative, "negative")
            )
            if item.frame_number is not None:
                entry.frame_number = _whole(item.frame_number, "frame_number", -(2**63), 2**63 - 1)
            planes.extend(self._attach(entry, item.frame, item.previous, item.colorspace, upload=False))
        if planes:
            self._upload_missing(planes)
        started = time.perf_counter()
        replies = self._with_uploads(planes, lambda: self._stream(self._stub.SegmentRange, request))
        for reply in replies:
            yield _result(reply, (time.perf_counter() - started) * 1000.0)
            started = time.perf_counter()

    def _attach(self, message: Any, frame: Frame, previous: Frame | None, colorspace: str | None,
                upload: bool = True) -> list[FramePlane]:
        """Fill ``message.frame`` (and ``.previous``) read in ``colorspace``; upload what the daemon lacks (unless
        told not to, for the caller to upload a request's planes at once); return the planes."""
        if colorspace is not None:
            check_colorspace(colorspace)
        planes: list[FramePlane] = []
        for name, value in (("frame", frame), ("previous", previous)):
            if value is None:
                continue
            ref = getattr(message, name)
            if isinstance(value, (str, os.PathLike)) and self.send_paths:
                ref.path = str(Path(value).expanduser().absolute())
                ref.colorspace = colorspace or ""
                continue
            plane = _plane(value, colorspace)
            ref.sha256 = plane.sha256
            planes.append(plane)
        if planes and upload:
            self._upload_missing(planes)
        return planes

    def _upload_missing(self, planes: list[FramePlane], force: bool = False) -> None:
        unique = {plane.sha256: plane for plane in planes}
        missing = list(unique)
        if not force:
            reply = self._unary(self._stub.MissingFrames, pb.MissingFramesRequest(hashes=missing))
            missing = list(reply.missing)
        for sha in missing:
            plane = unique[sha]
            self._call(lambda plane=plane: self._stub.UploadFrame(plane.chunks(), **self._call_kwargs()))

    def _with_uploads(self, planes: list[FramePlane], call: Callable[[], T]) -> T:
        """Run ``call``; if the daemon evicted an uploaded frame meanwhile, upload again and retry once."""
        try:
            return call()
        except NotFoundError:
            if not planes:
                raise
            self._upload_missing(planes, force=True)
            return call()

    def _unary(self, method: Callable[..., T], request: Any) -> T:
        return self._call(lambda: method(request, **self._call_kwargs()))

    def _stream(self, method: Callable[..., Iterable[T]], request: Any) -> list[T]:
        return self._call(lambda: list(method(request, **self._call_kwargs())))

    def _call_kwargs(self) -> dict[str, Any]:
        return {"timeout": self.timeout, "metadata": self._metadata}

    def _call(self, call: Callable[[], T]) -> T:
        if not self._answered:
            self._wait_for_daemon()
        try:
            return call()
        except grpc.RpcError as error:
            if error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                self._answered = False  # the next call finds out whether the daemon is there at all
            raise error_from_rpc(error, self.address) from None

    def _wait_for_daemon(self) -> None:
        """Until the daemon first answers (and after it was unavailable), wait up to ``connect_timeout``
        for it: a GetInfo that waits for the channel to be ready (gRPC's reconnect back-off)."""
        try:
            self._stub.GetInfo(pb.GetInfoRequest(), timeout=self.connect_timeout, metadata=self._metadata)
        except grpc.RpcError as error:
            if error.code() is grpc.StatusCode.DEADLINE_EXCEEDED:
                raise UnavailableError(
                    f"daemon unreachable at {self.address} (not ready after {self.connect_timeout:g} s)"
                ) from None
            raise error_from_rpc(error, self.address) from None
        self._answered = True


def service_config(retries: int) -> str:
    """The channel's service config: every HyperSeg call waits for the channel to be ready and,
    with ``retries``, is retried by gRPC when the daemon answers UNAVAILABLE."""
    method: dict[str, Any] = {"name": [{"service": pb.DESCRIPTOR.services_by_name["HyperSeg"].full_name}],
                              "waitForReady": True}
    if retries:
        method["retryPolicy"] = {"maxAttempts": retries + 1, **RETRY_BACKOFF, "retryableStatusCodes": ["UNAVAILABLE"]}
    return json.dumps({"methodConfig": [method]})


def _plane(frame: Frame, colorspace: str | None) -> FramePlane:
    """``frame`` as the plane to upload: read here (from ``colorspace``) if a path, placed at (0, 0) if a bare array."""
    if isinstance(frame, FramePlane):
        return frame
    if isinstance(frame, (str, os.PathLike)):
        return FramePlane.from_file(frame, colorspace)
    return FramePlane.from_array(frame)


def _read_ca(path: str | os.PathLike[str]) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"TLS CA certificate not found: {path}") from None
    except OSError as error:
        raise InputError(f"cannot read the TLS CA certificate {path}: {error.strerror}") from None


def _whole(value: object, name: str, low: int, high: int) -> int:
    """``value`` as an int in [low, high], or InputError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise InputError(f"{name} must be a whole number in [{low}, {high}], got {value!r}")
    return int(value)


def _points(points: Sequence[Point], sign: str) -> list[pb.Point]:
    return [pb.Point(x=x, y=y) for x, y in check_clicks(points, sign)]


def _direction(propagate: bool | str) -> str:
    if propagate is True:
        return "forward"
    if propagate not in PROPAGATION_DIRECTIONS:
        raise InputError(f"propagate must be True, False or one of {', '.join(PROPAGATION_DIRECTIONS)};"
                         f" got {propagate!r}")
    return propagate


def _wire_tracks(tracks: ClickTracks) -> list[pb.ClickTrack]:
    return [
        pb.ClickTrack(
            id=track.id, sign=SIGNS[track.sign],
            keys=[pb.ClickKey(frame=f, position=pb.Point(x=x, y=y)) for f, (x, y) in track.keys.items()],
            off=[pb.FrameSpan(first=first, last=last) for first, last in track.off],
        )
        for track in tracks.tracks
    ]


def _hypotheses(value: str) -> int:
    if value not in HYPOTHESES:
        raise InputError(f"hypotheses must be 'best' or 'all', got {value!r}")
    return HYPOTHESES[value]


def _result(reply: pb.SegmentReply, roundtrip_ms: float) -> SegmentResult:
    image = decode_exr_bytes(reply.exr)
    if "A" not in image.channel_names:
        raise HypersegError(f"the daemon's EXR has no channel A (channels: {', '.join(image.channel_names)})")
    timings = MessageToDict(
        reply.timings, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    timings["roundtrip_ms"] = roundtrip_ms
    return SegmentResult(
        alpha=image.channel("A").copy(),
        hypotheses=image.hypotheses(),
        scores=np.asarray(reply.scores, dtype=np.float32),
        exr_bytes=reply.exr,
        checkpoint_id=reply.checkpoint_id,
        timings=timings,
        chosen=int(reply.chosen),
        frame_number=int(reply.frame_number) if reply.HasField("frame_number") else None,
        backbone=reply.backbone,
        display_window=image.display_window,
        data_window=image.data_window,
        clicks=tuple(
            TrackedClick(c.id, (c.position.x, c.position.y) if c.HasField("position") else None, SIGN_NAMES[c.sign])
            for c in reply.clicks
        ),
        switched_off=tuple(
            ClickSwitchOff(event.click, int(reply.frame_number), DIRECTION_NAMES[event.direction], event.reason)
            for event in reply.switched_off
        ),
    )
