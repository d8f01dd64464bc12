"""gRPC status -> HyperSeg error with the daemon's message, each provoked on a real daemon."""

from __future__ import annotations

import pytest
from plugin_plates import make_plate

from hyperseg.plugin import Client
from hyperseg.protocol.errors import (
    AuthenticationError,
    DeadlineError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    UnavailableError,
)


@pytest.fixture(scope="module")
def guarded(predictor, tmp_path_factory):
    """A daemon that wants a token and reads paths under one allowed root."""
    from hyperseg.daemon.config import DaemonConfig
    from hyperseg.daemon.server import serve

    root = tmp_path_factory.mktemp("allowed")
    config = DaemonConfig(port=0, token="right", allow_roots=(root,), cache_mb=16, frame_store_mb=16)
    running = serve(config, predictor=predictor)
    yield running, root
    running.stop(grace=1)


def test_invalid_argument_is_input_error(address):
    with Client(address) as client, pytest.raises(InputError, match="outside"):
        client.segment(make_plate(1), positive=[(64.5, 3.5)])


def test_permission_denied_names_the_path(address, tmp_path):
    with Client(address) as client, pytest.raises(PermissionDeniedError, match="allow-root"):
        client.segment(str(tmp_path / "plate.exr"), positive=[(3.5, 3.5)])


def test_not_found_inside_an_allowed_root(guarded):
    running, root = guarded
    with Client(f"127.0.0.1:{running.port}", token="right") as client, pytest.raises(NotFoundError):
        client.segment(str(root / "missing.exr"), positive=[(3.5, 3.5)])


def test_unauthenticated_says_the_token_was_refused(guarded):
    running, _ = guarded
    address = f"127.0.0.1:{running.port}"
    for token in (None, "wrong"):
        with Client(address, token=token) as client, pytest.raises(AuthenticationError, match="refused the token"):
            client.info()


def test_deadline_exceeded_is_a_timeout(address):
    with Client(address, timeout=1e-4, retries=0) as client, pytest.raises(DeadlineError, match="in time"):
        client.segment(make_plate(5, 640, 480), positive=[(3.5, 3.5)])


def test_unavailable_names_the_address():
    with Client("127.0.0.1:1", connect_timeout=0.1) as client, pytest.raises(UnavailableError) as caught:
        client.info()
    assert str(caught.value).startswith("daemon unreachable at 127.0.0.1:1")
