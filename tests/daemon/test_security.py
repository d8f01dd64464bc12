"""Auth and TLS on a non-loopback configuration (0.0.0.0), and the rules that force them."""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from pathlib import Path

import grpc
import pytest
from daemon_wire import TEST_CONFIG, make_frame, points, upload
from grpc_health.v1 import health_pb2, health_pb2_grpc

from hyperseg.daemon.config import DaemonConfig, is_loopback
from hyperseg.daemon.server import serve
from hyperseg.protocol.errors import InputError, NotFoundError
from hyperseg.protocol.token_file import read_token_file
from hyperseg.v1 import hyperseg_pb2 as pb
from hyperseg.v1 import hyperseg_pb2_grpc as pb_grpc

TOKEN = "s3cret-token-for-tests"
SERVER_NAME = "hyperseg.test"


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={SERVER_NAME}",
         "-addext", f"subjectAltName=DNS:{SERVER_NAME}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture(scope="module")
def secured(predictor, tls_files):
    cert, key = tls_files
    config = replace(TEST_CONFIG, host="0.0.0.0", token=TOKEN, tls_cert=cert, tls_key=key)
    running = serve(config, predictor=predictor)
    yield running
    running.stop(grace=2)


def _tls_channel(port: int, cert: Path) -> grpc.Channel:
    credentials = grpc.ssl_channel_credentials(root_certificates=cert.read_bytes())
    return grpc.secure_channel(f"127.0.0.1:{port}", credentials,
                               options=[("grpc.ssl_target_name_override", SERVER_NAME)])


def test_non_loopback_needs_token_and_tls():
    with pytest.raises(InputError, match="requires a token"):
        DaemonConfig(host="0.0.0.0").validate()
    with pytest.raises(InputError, match="requires TLS"):
        DaemonConfig(host="10.1.2.3", token="t").validate()
    assert DaemonConfig(host="10.1.2.3", token="t", insecure=True).validate()
    assert DaemonConfig(host="127.0.0.1").validate() and DaemonConfig(host="localhost").validate()
    assert DaemonConfig(host="::1").validate()
    assert not is_loopback("0.0.0.0") and not is_loopback("example.com") and is_loopback("127.0.0.2")
    with pytest.raises(InputError, match="go together"):
        DaemonConfig(tls_cert=Path("c.pem")).validate()


def test_token_file_rules(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(f"  {TOKEN}\n")
    os.chmod(token_file, 0o644)
    with pytest.raises(InputError, match="readable by others"):
        read_token_file(token_file, private=True)
    assert read_token_file(token_file) == TOKEN  # a client's token file need not be private
    os.chmod(token_file, 0o600)
    assert read_token_file(token_file, private=True) == TOKEN
    with pytest.raises(NotFoundError, match="token file not found"):
        read_token_file(tmp_path / "absent")


def test_tls_with_token_segments(secured, tls_files):
    with _tls_channel(secured.port, tls_files[0]) as channel:
        stub = pb_grpc.HyperSegStub(channel)
        metadata = [("authorization", f"Bearer {TOKEN}")]
        info = stub.GetInfo(pb.GetInfoRequest(), metadata=metadata)
        assert info.auth_required and info.tls
        frame = make_frame(200)
        sha = upload(_Authorized(stub, metadata), frame)
        reply = stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(sha256=sha), positive=points((3.5, 3.5)),
                                               proxy=0.25), metadata=metadata)
        assert reply.width == 32


@pytest.mark.parametrize("metadata", [None, [("authorization", "Bearer wrong")], [("authorization", TOKEN)],
                                      [("authorization", f"bearer {TOKEN}x")]])
def test_missing_or_wrong_token_is_unauthenticated(secured, tls_files, metadata):
    with _tls_channel(secured.port, tls_files[0]) as channel:
        stub = pb_grpc.HyperSegStub(channel)
        for call in (lambda: stub.GetInfo(pb.GetInfoRequest(), metadata=metadata),
                     lambda: stub.UploadFrame(iter([pb.FrameChunk()]), metadata=metadata),
                     lambda: list(stub.SegmentRange(pb.SegmentRangeRequest(), metadata=metadata))):
            with pytest.raises(grpc.RpcError) as raised:
                call()
            assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
            assert "bearer token" in raised.value.details()


def test_health_needs_no_token_but_plaintext_is_refused(secured, tls_files):
    with _tls_channel(secured.port, tls_files[0]) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        status = health.Check(health_pb2.HealthCheckRequest(service="hyperseg.v1.HyperSeg"))
        assert status.status == health_pb2.HealthCheckResponse.SERVING
    with grpc.insecure_channel(f"127.0.0.1:{secured.port}") as plain:
        with pytest.raises(grpc.RpcError) as raised:
            pb_grpc.HyperSegStub(plain).GetInfo(pb.GetInfoRequest(), timeout=5,
                                                metadata=[("authorization", f"Bearer {TOKEN}")])
        assert raised.value.code() == grpc.StatusCode.UNAVAILABLE


class _Authorized:
    """A stub whose calls carry the bearer token (for the upload helper)."""

    def __init__(self, stub, metadata):
        self._stub, self._metadata = stub, metadata

    def MissingFrames(self, request):
        return self._stub.MissingFrames(request, metadata=self._metadata)

    def UploadFrame(self, chunks):
        return self._stub.UploadFrame(chunks, metadata=self._metadata)
