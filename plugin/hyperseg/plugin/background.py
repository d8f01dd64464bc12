"""Work off the host's main thread, one job per key at a time, the latest request winning.

A compositor dragging a point fires many requests per second; only the newest matters. Each key
(a node) has at most one job running and one waiting: a newer request replaces the waiting one.
Results and errors go back through ``call_in_main_thread`` (``nuke.executeInMainThread`` in
Nuke). With ``background=False`` (``nuke -t``, no event loop) jobs run inline, in order.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hyperseg.protocol.errors import HypersegError


@dataclass(frozen=True)
class Job:
    work: Callable[[], Any]
    on_done: Callable[[Any], None]
    on_error: Callable[[Exception], None]


class LatestWinsRunner:
    def __init__(self, call_in_main_thread: Callable[..., None], background: bool = True) -> None:
        self._post = call_in_main_thread
        self.background = background
        self._lock = threading.Lock()
        self._running: dict[str, threading.Thread] = {}
        self._waiting: dict[str, Job] = {}

    def busy(self, key: str) -> bool:
        with self._lock:
            return key in self._running

    def submit(self, key: str, job: Job) -> None:
        """Run ``job`` now, or after the running one for ``key`` (replacing any job already waiting)."""
        if not self.background:
            self._run(job, post=lambda call, *args: call(*args))
            return
        with self._lock:
            if key in self._running:
                self._waiting[key] = job
                return
            thread = threading.Thread(target=self._loop, args=(key, job), name=f"hyperseg-{key}", daemon=True)
            self._running[key] = thread
        thread.start()

    def join(self, key: str, timeout: float | None = None) -> None:
        """Wait for ``key``'s thread (tests and shutdown); results still arrive via the main thread."""
        with self._lock:
            thread = self._running.get(key)
        if thread is not None:
            thread.join(timeout)

    def join_all(self, timeout: float | None = None) -> None:
        """Wait for every key's thread, including jobs queued behind them (tests and shutdown)."""
        while True:
            with self._lock:
                threads = list(self._running.values())
            if not threads:
                return
            for thread in threads:
                thread.join(timeout)
            if timeout is not None:
                return

    def _loop(self, key: str, job: Job) -> None:
        while True:
            self._run(job, post=self._post)
            with self._lock:
                job = self._waiting.pop(key, None)
                if job is None:
                    del self._running[key]
                    return

    @staticmethod
    def _run(job: Job, post: Callable[..., None]) -> None:
        try:
            result = job.work()
        except HypersegError as error:
            post(job.on_error, error)
        except Exception as error:
            traceback.print_exc()
            post(job.on_error, error)
        else:
            post(job.on_done, result)
