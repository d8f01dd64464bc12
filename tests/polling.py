"""``wait_until``: poll a real condition against a deadline, for state that offers no event to wait on."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0, interval: float = 0.005) -> None:
    """Return once ``condition()`` is true; fail naming ``what`` if ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
