"""Frames named by path: only inside --allow-root, windows preserved, SegmentRange over a plate."""

from __future__ import annotations

import os

import grpc
import numpy as np
import pytest
from daemon_wire import make_frame, points, start

from hyperseg.daemon.frame_paths import PathPolicy
from hyperseg.imageio import Window, decode_exr_bytes, to_network, write_image
from hyperseg.protocol.errors import InputError, PermissionDeniedError
from hyperseg.v1 import hyperseg_pb2 as pb
from hyperseg.v1 import hyperseg_pb2_grpc as pb_grpc


@pytest.fixture(scope="module")
def plate(tmp_path_factory):
    """root/plate.100{1,2}.exr (32x24, RGBA), a corrupt file, a symlink escaping the root, a secret outside."""
    base = tmp_path_factory.mktemp("paths")
    root, outside = base / "root", base / "outside"
    root.mkdir()
    outside.mkdir()
    for number in (1001, 1002):
        write_image(root / f"plate.{number}.exr", make_frame(number, channels=4), ["R", "G", "B", "A"])
    write_image(outside / "secret.exr", make_frame(9), ["R", "G", "B"])
    (root / "corrupt.exr").write_bytes(b"\x76\x2f\x31\x01" + b"\0" * 64)
    os.symlink(outside / "secret.exr", root / "escape.exr")
    return base


@pytest.fixture(scope="module")
def path_daemon(predictor, plate):
    running = start(predictor, allow_roots=(plate / "root",))
    yield running
    running.stop(grace=2)


@pytest.fixture
def path_stub(path_daemon):
    with grpc.insecure_channel(f"127.0.0.1:{path_daemon.port}") as channel:
        yield pb_grpc.HyperSegStub(channel)


def _segment(stub, path: str, **kw):
    return stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(path=path), positive=points((4.5, 4.5)), proxy=0.25,
                                          **kw))


def test_path_frame_matches_in_process(path_stub, predictor, plate):
    path = plate / "root" / "plate.1001.exr"
    reply = _segment(path_stub, str(path))
    network = to_network(make_frame(1001, channels=4)[:, :, :3], "linear")  # a float EXR: linear
    expected = predictor.predict_encoded(predictor.encode_frame(network, proxy=0.25),
                                         positive=[(4.5, 4.5)])
    alpha = decode_exr_bytes(reply.exr).channel("A")
    np.testing.assert_array_equal(alpha, expected.masks[0].astype(np.float16).astype(np.float32))


def test_path_frame_keeps_data_and_display_windows(path_stub, predictor, plate):
    # Overscan plate: data window 4 px beyond the 32x24 display window on every side.
    pixels = make_frame(77, width=40, height=32)
    path = plate / "root" / "overscan.exr"
    write_image(path, pixels, ["R", "G", "B"], data_window=Window(-4, -4, 40, 32),
                display_window=Window(0, 0, 32, 24))
    reply = _segment(path_stub, str(path))
    image = decode_exr_bytes(reply.exr)
    assert image.display_window == Window(0, 0, 32, 24)
    assert image.data_window == Window(-4, -4, 40, 32)
    assert (reply.width, reply.height) == (32, 24)
    # The whole data window is segmented, overscan included; the click moves 4 px onto it.
    expected = predictor.predict_encoded(predictor.encode_frame(to_network(pixels, "linear"), proxy=0.25),
                                         positive=[(8.5, 8.5)]).masks[0].astype(np.float16).astype(np.float32)
    alpha = image.channel("A")
    np.testing.assert_array_equal(alpha, expected)
    assert alpha[:4].any() and alpha[:, :4].any()


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("outside/secret.exr", grpc.StatusCode.PERMISSION_DENIED, "outside the allowed roots"),
        ("root/../outside/secret.exr", grpc.StatusCode.PERMISSION_DENIED, "outside the allowed roots"),
        ("root/escape.exr", grpc.StatusCode.PERMISSION_DENIED, "outside the allowed roots"),
        ("root/absent.exr", grpc.StatusCode.NOT_FOUND, "not found"),
        ("root/corrupt.exr", grpc.StatusCode.DATA_LOSS, "corrupt.exr"),
        ("root", grpc.StatusCode.INVALID_ARGUMENT, "is a directory"),
    ],
)
def test_bad_paths(path_stub, plate, name, code, message):
    with pytest.raises(grpc.RpcError) as raised:
        _segment(path_stub, f"{plate}/{name}")
    assert raised.value.code() == code, raised.value.details()
    assert message in raised.value.details()


def test_relative_path_is_refused(path_stub):
    with pytest.raises(grpc.RpcError) as raised:
        _segment(path_stub, "root/plate.1001.exr")
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "must be absolute" in raised.value.details()


def test_segment_range_streams_one_reply_per_frame(path_stub, plate):
    items = [
        pb.SegmentRangeItem(frame_number=n, frame=pb.FrameRef(path=str(plate / "root" / f"plate.{n}.exr")),
                            previous=pb.FrameRef(path=str(plate / "root" / f"plate.{max(n - 1, 1001)}.exr")),
                            positive=points((4.5 + n - 1001, 4.5)))
        for n in (1001, 1002)
    ]
    replies = list(path_stub.SegmentRange(pb.SegmentRangeRequest(items=items, proxy=0.25,
                                                                  hypotheses=pb.HYPOTHESES_ALL)))
    assert [r.frame_number for r in replies] == [1001, 1002]
    for reply in replies:
        image = decode_exr_bytes(reply.exr)
        assert image.hypotheses().shape == (6, 24, 32)
        assert image.hyperseg_metadata["frame"] == str(reply.frame_number)


def test_policy_unit(tmp_path):
    policy = PathPolicy([tmp_path])
    inside = tmp_path / "a.exr"
    assert policy.resolve(str(inside)) == inside.resolve()
    with pytest.raises(PermissionDeniedError):
        policy.resolve(str(tmp_path.parent / (tmp_path.name + "-sibling") / "a.exr"))
    with pytest.raises(InputError, match="NUL"):
        policy.resolve(f"{tmp_path}/a\0.exr")
