"""Retrying a call while the daemon is unreachable: exponential backoff with jitter."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """``retries`` more attempts after the first; the n-th waits ``initial * multiplier**n`` (capped),
    scaled by a random factor in [1 - jitter, 1] so many clients do not retry in lockstep."""

    retries: int = 3
    initial_seconds: float = 0.2
    multiplier: float = 2.0
    max_seconds: float = 5.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.retries < 0:
            raise ValueError(f"retries must be 0 or more, got {self.retries}")
        if self.initial_seconds < 0 or self.max_seconds < 0 or self.multiplier < 1:
            raise ValueError("backoff needs initial_seconds >= 0, max_seconds >= 0 and multiplier >= 1")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"jitter must be in [0, 1], got {self.jitter}")

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        base = min(self.max_seconds, self.initial_seconds * self.multiplier**attempt)
        factor = 1.0 - self.jitter * (rng or random).random()
        return base * factor

    def run(
        self,
        call: Callable[[], T],
        should_retry: Callable[[BaseException], bool],
        sleep: Callable[[float], None] = time.sleep,
    ) -> T:
        """``call()``; on an exception ``should_retry`` accepts, wait and try again, up to ``retries`` times."""
        attempt = 0
        while True:
            try:
                return call()
            except Exception as error:
                if attempt >= self.retries or not should_retry(error):
                    raise
                sleep(self.delay(attempt))
                attempt += 1
