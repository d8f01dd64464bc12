"""Per-frame image features (FrameEncoding) kept between clicks, bounded by --cache-mb."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from hyperseg.daemon.byte_lru import ByteBudgetLRU


@dataclass(frozen=True)
class EncodingKey:
    """What an encoding depends on: the frame, the previous frame, the proxy scale, the weights."""

    frame: str
    previous: str | None
    proxy: float
    checkpoint_id: str


class FeatureCache:
    """A byte-budgeted LRU of encodings with hit/miss counters; thread-safe."""

    def __init__(self, budget_bytes: int) -> None:
        self._entries: ByteBudgetLRU[Any] = ByteBudgetLRU(budget_bytes)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def budget_bytes(self) -> int:
        return self._entries.budget_bytes

    def get(self, key: EncodingKey) -> Any | None:
        """The cached encoding for ``key`` or None; counts a hit or a miss."""
        encoding = self._entries.get(key)
        with self._lock:
            if encoding is None:
                self.misses += 1
            else:
                self.hits += 1
        return encoding

    def put(self, key: EncodingKey, encoding: Any) -> bool:
        """Keep ``encoding`` (costing ``encoding.nbytes``); False if it exceeds the whole budget."""
        return self._entries.put(key, encoding, int(encoding.nbytes))

    @property
    def nbytes(self) -> int:
        return self._entries.nbytes

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def evictions(self) -> int:
        return self._entries.evictions
