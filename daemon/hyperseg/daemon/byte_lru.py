"""A thread-safe least-recently-used map bounded by the bytes its values hold: cachetools' LRUCache.

cachetools keeps the order, the byte total (``getsizeof``) and the eviction; this module adds the
lock a multi-threaded server needs, an eviction counter, and "too large: not kept" instead of
cachetools' ValueError.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Generic, NamedTuple, TypeVar

from cachetools import LRUCache

V = TypeVar("V")


class _Sized(NamedTuple):
    value: object
    nbytes: int


class _CountingLRU(LRUCache):
    """cachetools' LRUCache sized by each entry's ``nbytes``, counting what it evicts."""

    def __init__(self, budget_bytes: int) -> None:
        super().__init__(maxsize=budget_bytes, getsizeof=lambda entry: entry.nbytes)
        self.evictions = 0

    def popitem(self):
        item = super().popitem()
        self.evictions += 1
        return item


class ByteBudgetLRU(Generic[V]):
    """Holds values up to ``budget_bytes`` in total, evicting the least recently used first.

    A value larger than the whole budget is not kept at all (``put`` returns False).
    """

    def __init__(self, budget_bytes: int) -> None:
        if budget_bytes <= 0:
            raise ValueError(f"budget_bytes must be positive, got {budget_bytes}")
        self.budget_bytes = budget_bytes
        self._cache = _CountingLRU(budget_bytes)
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        """The value for ``key`` (now the most recently used), or None."""
        with self._lock:
            entry = self._cache.get(key)
            return None if entry is None else entry.value

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._cache

    def put(self, key: Hashable, value: V, nbytes: int) -> bool:
        """Store ``value`` costing ``nbytes``; evict older entries to fit. False if it cannot fit."""
        if nbytes < 0:
            raise ValueError(f"nbytes must be >= 0, got {nbytes}")
        with self._lock:
            self._cache.pop(key, None)
            if nbytes > self.budget_bytes:
                return False
            self._cache[key] = _Sized(value, nbytes)
            return True

    @property
    def evictions(self) -> int:
        """Entries dropped to make room since the map was made."""
        with self._lock:
            return self._cache.evictions

    @property
    def nbytes(self) -> int:
        with self._lock:
            return int(self._cache.currsize)

    def __len__(self) -> int:
        with self._lock:
            return len(self._cache)
