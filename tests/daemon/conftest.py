"""A real daemon on a loopback port with a tiny untrained model."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from daemon_wire import start

from hyperseg.daemon.server import RunningServer
from hyperseg.v1 import hyperseg_pb2_grpc as pb_grpc


@pytest.fixture(scope="session")
def predictor():
    from hyperseg.model import Predictor

    return Predictor.untrained(seed=0, device="cpu")


@pytest.fixture(scope="module")
def daemon(predictor) -> Iterator[RunningServer]:
    running = start(predictor)
    yield running
    running.stop(grace=2)


@pytest.fixture
def channel(daemon) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{daemon.port}") as chan:
        yield chan


@pytest.fixture
def stub(channel) -> pb_grpc.HyperSegStub:
    return pb_grpc.HyperSegStub(channel)
