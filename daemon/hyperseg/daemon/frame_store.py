"""Frames uploaded by content hash: chunk reassembly with checks, and a byte-budgeted store."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from hyperseg.daemon.byte_lru import ByteBudgetLRU
from hyperseg.daemon.config import MAX_CHUNK_BYTES
from hyperseg.daemon.frame_pixels import rgb_from_plane
from hyperseg.imageio import Window
from hyperseg.protocol.errors import InputError, LimitExceededError
from hyperseg.protocol.frame_hash import DTYPES, frame_hash_chunks
from hyperseg.v1 import hyperseg_pb2 as pb

HASH_PATTERN = re.compile(r"[0-9a-f]{64}")
DTYPE_NAMES = {pb.DTYPE_FLOAT32: "float32", pb.DTYPE_FLOAT16: "float16"}


@dataclass(frozen=True)
class StoredFrame:
    """One frame ready for the model: RGB over its data window (the only pixels it has), read-only.

    The model segments exactly these pixels; the reply EXR carries both windows. ``sha256`` is
    the frame's identity (pixels, channels and windows).
    """

    sha256: str
    rgb: np.ndarray  # (H, W, 3) float32 in [0, 1], H x W = the data window
    display_window: Window
    data_window: Window

    @property
    def nbytes(self) -> int:
        return int(self.rgb.nbytes)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the frame, its display window, in pixels."""
        return self.display_window.width, self.display_window.height


@dataclass(frozen=True)
class UploadLimits:
    max_frame_pixels: int
    max_channels: int
    max_chunk_bytes: int = MAX_CHUNK_BYTES


def check_hash(sha256: str) -> str:
    """``sha256`` if it is 64 lowercase hex digits, else InputError."""
    if not HASH_PATTERN.fullmatch(sha256):
        raise InputError(f"frame hash {sha256[:80]!r} is not 64 lowercase hex digits (SHA-256)")
    return sha256


def check_header(header: pb.FrameHeader, limits: UploadLimits) -> tuple[str, int, Window, Window]:
    """Validate an upload header; returns (dtype name, expected total bytes, display window, data window)."""
    check_hash(header.sha256)
    if header.width == 0 or header.height == 0:
        raise InputError(f"frame size {header.width}x{header.height} is empty")
    pixels = header.width * header.height
    if pixels > limits.max_frame_pixels:
        raise LimitExceededError(
            f"frame {header.width}x{header.height} has {pixels} pixels, over this daemon's limit of"
            f" {limits.max_frame_pixels} (--max-frame-pixels)"
        )
    channels = list(header.channel_names)
    if not channels:
        raise InputError("frame header names no channels")
    if len(channels) > limits.max_channels:
        raise LimitExceededError(
            f"frame has {len(channels)} channels, over the limit of {limits.max_channels}"
        )
    if len(set(channels)) != len(channels) or any(not c or "," in c for c in channels):
        raise InputError(f"channel names {channels} must be unique, non-empty and free of commas")
    dtype = DTYPE_NAMES.get(header.dtype)
    if dtype is None:
        raise InputError(f"frame dtype must be DTYPE_FLOAT32 or DTYPE_FLOAT16, got {header.dtype}")
    expected = pixels * len(channels) * DTYPES[dtype].itemsize
    if header.total_bytes != expected:
        raise InputError(
            f"total_bytes {header.total_bytes} does not match {header.width}x{header.height}"
            f" x {len(channels)} channels x {dtype} = {expected} bytes"
        )
    display = _window(header, "display_window") or Window(0, 0, header.width, header.height)
    data = _window(header, "data_window")
    placed, name = (display, "display window") if data is None else (data, "data window")
    if (placed.width, placed.height) != (header.width, header.height):
        raise InputError(
            f"{name} {placed.width}x{placed.height} differs from the plane's {header.width}x{header.height}"
        )
    return dtype, expected, display, placed


def _window(header: pb.FrameHeader, field: str) -> Window | None:
    if not header.HasField(field):
        return None
    w = getattr(header, field)
    return Window(w.x, w.y, w.width, w.height)


class UploadBudget:
    """The bytes uploads in flight may hold together: each plane is reserved here, from its
    header's declared size, before it is allocated, and released when its upload ends."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self._reserved = 0
        self._changed = threading.Condition()

    @property
    def reserved(self) -> int:
        with self._changed:
            return self._reserved

    def wait_for(self, condition: Callable[[int], bool], timeout: float) -> bool:
        """Wait until ``condition(reserved bytes)`` holds; False after ``timeout`` s (monitoring, tests)."""
        with self._changed:
            return self._changed.wait_for(lambda: condition(self._reserved), timeout)

    @contextmanager
    def reserve(self, nbytes: int, what: str) -> Iterator[None]:
        """Hold ``nbytes`` for the block; LimitExceededError if the budget cannot hold them now."""
        with self._changed:
            if self._reserved + nbytes > self.budget_bytes:
                raise LimitExceededError(
                    f"{what} needs {nbytes} bytes while uploads in flight hold {self._reserved} of the"
                    f" {self.budget_bytes} bytes they may use (--frame-store-mb): retry when they finish"
                )
            self._reserved += nbytes
            self._changed.notify_all()
        try:
            yield
        finally:
            with self._changed:
                self._reserved -= nbytes
                self._changed.notify_all()


def receive_frame(
    chunks: Iterable[pb.FrameChunk], limits: UploadLimits, budget: UploadBudget, on_bytes=None
) -> StoredFrame:
    """Reassemble an UploadFrame stream, checking order, sizes and the content hash.

    The plane the header declares is reserved in ``budget`` before it is allocated. ``on_bytes(n)``
    is called as data arrives (the server's byte counter).
    """
    iterator = iter(chunks)
    first = next(iterator, None)
    if first is None:
        raise InputError("upload carried no chunks")
    if not first.HasField("header"):
        raise InputError("the first chunk of an upload must carry the frame header")
    header = first.header
    dtype, total, display, data = check_header(header, limits)
    with budget.reserve(total, f"frame {header.sha256[:12]} ({header.width}x{header.height})"):
        return _receive_plane(first, iterator, dtype, total, (display, data), limits, on_bytes)


def _receive_plane(first: pb.FrameChunk, iterator: Iterator[pb.FrameChunk], dtype: str, total: int,
                   windows: tuple[Window, Window], limits: UploadLimits, on_bytes) -> StoredFrame:
    """The chunks' plane, checked against the header on ``first``, as a StoredFrame."""
    header = first.header
    try:
        plane = np.empty(total, dtype=np.uint8)  # not zero-filled: pages become resident only as data arrives
    except MemoryError:
        raise LimitExceededError(f"frame {header.sha256[:12]}: the daemon cannot allocate {total} bytes now") from None
    received = 0

    def accept(chunk: pb.FrameChunk) -> None:
        nonlocal received
        size = len(chunk.data)
        if size > limits.max_chunk_bytes:
            raise InputError(f"chunk of {size} bytes exceeds the {limits.max_chunk_bytes}-byte chunk limit")
        if chunk.offset != received:
            raise InputError(
                f"chunk at byte offset {chunk.offset} but {received} bytes received so far:"
                " chunks must arrive in order without gaps"
            )
        if received + size > total:
            raise InputError(f"chunks overrun the frame: {received + size} bytes sent, header says {total}")
        plane[received : received + size] = np.frombuffer(chunk.data, dtype=np.uint8)
        received += size
        if on_bytes is not None:
            on_bytes(size)

    accept(first)
    for chunk in iterator:
        if chunk.HasField("header"):
            raise InputError(f"chunk at offset {chunk.offset} carries a second header")
        accept(chunk)
    if received != total:
        raise InputError(f"upload ended after {received} of {total} bytes")
    channels = list(header.channel_names)
    display, data = windows
    actual = frame_hash_chunks(header.width, header.height, dtype, channels, [memoryview(plane)],
                               (data.x, data.y), display)
    if actual != header.sha256:
        raise InputError(
            f"content hash mismatch: header says {header.sha256}, the bytes and windows hash to {actual}"
        )
    pixels = plane.view(DTYPES[dtype]).reshape(header.height, header.width, len(channels))
    rgb = rgb_from_plane(pixels, channels, f"frame {header.sha256[:12]}")
    return StoredFrame(header.sha256, rgb, display, data)


class FrameStore:
    """Uploaded frames by hash, least recently used evicted past ``budget_bytes``."""

    def __init__(self, budget_bytes: int) -> None:
        self._frames: ByteBudgetLRU[StoredFrame] = ByteBudgetLRU(budget_bytes)
        self._lock = threading.Lock()
        self.bytes_received = 0

    @property
    def budget_bytes(self) -> int:
        return self._frames.budget_bytes

    def count_bytes(self, n: int) -> None:
        with self._lock:
            self.bytes_received += n

    def add(self, frame: StoredFrame) -> None:
        """Keep ``frame``; a frame already held under its hash (its identity) stays as it is."""
        if self._frames.get(frame.sha256) is not None:
            return
        if not self._frames.put(frame.sha256, frame, frame.nbytes):
            raise LimitExceededError(
                f"frame {frame.sha256[:12]} needs {frame.nbytes} bytes, more than the frame store's"
                f" budget of {self._frames.budget_bytes} (--frame-store-mb)"
            )

    def get(self, sha256: str) -> StoredFrame | None:
        return self._frames.get(sha256)

    def missing(self, hashes: Iterable[str]) -> list[str]:
        return [h for h in hashes if h not in self._frames]

    @property
    def nbytes(self) -> int:
        return self._frames.nbytes

    def __len__(self) -> int:
        return len(self._frames)
