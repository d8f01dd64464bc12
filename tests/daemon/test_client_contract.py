"""The Client against a real daemon: bad arguments are HypersegErrors, threads share one Client
without superseding each other, and latest-wins holds per named caller."""

from __future__ import annotations

import logging
import threading

import numpy as np
import pytest
from daemon_wire import make_frame

from hyperseg.plugin import Client
from hyperseg.protocol.errors import HypersegError, InputError

FRAME = make_frame(500)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.segment(FRAME, [(3.5, 3.5)], proxy="abc"), "proxy must be a scale in [0.05, 1], got 'abc'"),
        (lambda c: c.segment(FRAME, [(3.5, 3.5)], hypothesis=-1), "hypothesis must be a whole number"),
        (lambda c: c.segment(FRAME, [(3.5, 3.5)], hypothesis=99), "hypothesis 99 does not exist"),
        (lambda c: c.segment(FRAME, [(3.5, 3.5)], frame_number="1001"), "frame_number must be a whole number"),
        (lambda c: c.segment(FRAME, [(3.5, 3.5)], caller=7), "caller must be a string, got 7"),
        (lambda c: c.segment(FRAME, [("x", 3)]), "positive click must be an (x, y) pair of numbers"),
        (lambda c: c.segment(FRAME, [(3.5, 3.5)], hypotheses="most"), "hypotheses must be 'best' or 'all'"),
        (lambda c: c.segment(5, [(3.5, 3.5)]), "a frame must be an (H, W, 3) RGB array"),
        (lambda c: list(c.segment_range([], batch="x")), "batch must be a whole number"),
    ],
)
def test_bad_arguments_are_hyperseg_errors(daemon, call, message):
    with Client(f"127.0.0.1:{daemon.port}") as client, pytest.raises(HypersegError) as raised:
        call(client)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timeout": "abc"}, "timeout must be positive seconds, got 'abc'"),
        ({"timeout": float("inf")}, "timeout must be positive seconds, got inf"),
        ({"retries": -1}, "retries must be a whole number from 0 to 4 \\(gRPC's limit\\), got -1"),
        ({"connect_timeout": 0}, "connect_timeout must be positive seconds, got 0"),
        ({"token": "two words"}, "token must be printable ASCII without spaces"),
        ({"tls_ca": "/"}, "cannot read the TLS CA certificate /: Is a directory"),
    ],
)
def test_bad_client_settings_are_input_errors(kwargs, message):
    with pytest.raises(InputError, match=message):
        Client("127.0.0.1:1", **kwargs)


def test_threads_sharing_one_client_never_supersede_each_other(daemon):
    serial = Client(f"127.0.0.1:{daemon.port}")
    clicks = [[(3.5 + k, 4.5)] for k in range(8)]
    expected = [serial.segment(FRAME, c, proxy=0.5).alpha for c in clicks]
    shared = Client(f"127.0.0.1:{daemon.port}")
    results: dict[tuple[int, int], np.ndarray] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(thread: int) -> None:
        start.wait()
        for round_ in range(5):
            try:
                results[thread, round_] = shared.segment(FRAME, clicks[thread], proxy=0.5).alpha
            except HypersegError as error:
                errors.append(error)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    serial.close()
    shared.close()
    assert errors == []
    assert len(results) == 40
    for (thread, _), alpha in results.items():
        np.testing.assert_array_equal(alpha, expected[thread])


def test_latest_wins_keys_on_the_caller(daemon, caplog):
    with Client(f"127.0.0.1:{daemon.port}", client_id="node7") as client, caplog.at_level(
        logging.INFO, logger="hyperseg.daemon"
    ):
        client.segment(FRAME, [(3.5, 3.5)], proxy=0.5, caller="viewer")
        here = threading.get_ident()
        client.segment(FRAME, [(3.5, 3.5)], proxy=0.5)
        other = threading.Thread(target=lambda: client.segment(FRAME, [(3.5, 3.5)], proxy=0.5))
        other.start()
        other.join(60)
    ids = [line.split("client=")[1].split(" ")[0] for line in caplog.messages if "client=" in line]
    assert ids[0] == "'node7/viewer'" and ids[1] == f"'node7/{here}'"
    assert ids[2].startswith("'node7/") and ids[2] not in ids[:2]
