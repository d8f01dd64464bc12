"""A daemon that starts when a client first tries to reach it: the client's attempt is the event."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any


class LateDaemon:
    """A loopback port (default: a free one) where nothing serves until a client knocks.

    The port listens without serving; the first connection a client opens is closed at once (the
    client sees the daemon as down), and only then does ``start(port)`` bring the daemon up on that
    port. ``knocked`` is set once that happened; the daemon is stopped on exit.
    """

    def __init__(self, start: Callable[[int], Any], port: int = 0, timeout: float = 60.0) -> None:
        self._start = start
        self._listener = socket.create_server(("127.0.0.1", port))
        self._listener.settimeout(timeout)
        self.port = self._listener.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        self.knocked = threading.Event()
        self.daemon: Any = None
        self._thread = threading.Thread(target=self._start_on_first_attempt, name="late-daemon", daemon=True)

    def __enter__(self) -> LateDaemon:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._listener.close()
        self._thread.join()
        if self.daemon is not None:
            self.daemon.stop(grace=1)

    def _start_on_first_attempt(self) -> None:
        try:
            connection, _ = self._listener.accept()
        except OSError:  # closed or timed out: no client came, and the test fails on its own terms
            return
        connection.close()
        self._listener.close()
        self.daemon = self._start(self.port)
        self.knocked.set()
