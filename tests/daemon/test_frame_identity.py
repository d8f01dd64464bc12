"""A frame's identity is its pixels, channels and windows; a stored frame is never replaced."""

from __future__ import annotations

import grpc
import pytest
from daemon_wire import chunks_for, make_frame, points

from hyperseg.imageio import Window, decode_exr_bytes, write_image
from hyperseg.plugin import Client
from hyperseg.protocol.frame_hash import frame_hash
from hyperseg.v1 import hyperseg_pb2 as pb

PIXELS = make_frame(300)  # 32x24


def placed_chunks(x: int, y: int, sha256: str | None = None) -> list[pb.FrameChunk]:
    chunks = chunks_for(PIXELS, sha256=sha256 or frame_hash(PIXELS, "RGB", (x, y), Window(x, y, 32, 24)))
    chunks[0].header.display_window.CopyFrom(pb.Window(x=x, y=y, width=32, height=24))
    return chunks


def segment_windows(stub, sha256: str) -> tuple[Window, Window]:
    reply = stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(sha256=sha256), positive=points((3.5, 3.5)),
                                           proxy=0.5))
    image = decode_exr_bytes(reply.exr)
    return image.display_window, image.data_window


def test_equal_pixels_in_two_windows_are_two_frames(stub):
    at_origin = stub.UploadFrame(iter(placed_chunks(0, 0))).sha256
    shifted = stub.UploadFrame(iter(placed_chunks(100, 50))).sha256
    assert at_origin == frame_hash(PIXELS, "RGB") != shifted
    assert segment_windows(stub, at_origin) == (Window(0, 0, 32, 24),) * 2
    assert segment_windows(stub, shifted) == (Window(100, 50, 32, 24),) * 2


@pytest.mark.parametrize(
    ("x", "claimed", "message"),
    [
        (7, "original", "content hash mismatch"),  # the same pixels re-sent under the first frame's hash
        (2**31 - 40, "b" * 64, "more than OpenEXR can store"),  # refused from the header, before the data
        (-(2**31), "b" * 64, "more than OpenEXR can store"),
    ],
)
def test_a_hostile_reupload_never_breaks_the_stored_frame(stub, x, claimed, message):
    original = stub.UploadFrame(iter(placed_chunks(0, 0))).sha256
    hostile = placed_chunks(x, 0, sha256=original if claimed == "original" else claimed)
    with pytest.raises(grpc.RpcError) as raised:
        stub.UploadFrame(iter(hostile))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert message in raised.value.details()
    assert segment_windows(stub, original) == (Window(0, 0, 32, 24),) * 2


def test_the_client_keeps_each_plates_own_placement(daemon, tmp_path):
    first, second = tmp_path / "first.exr", tmp_path / "second.exr"
    write_image(first, PIXELS, ["R", "G", "B"], display_window=Window(0, 0, 32, 24))
    write_image(second, PIXELS, ["R", "G", "B"], data_window=Window(10, 20, 32, 24),
                display_window=Window(10, 20, 32, 24))
    with Client(f"127.0.0.1:{daemon.port}", send_paths=False) as client:
        results = [client.segment(str(path), [(3.5, 3.5)], proxy=0.5) for path in (first, second)]
    windows = [decode_exr_bytes(r.exr_bytes).display_window for r in results]
    assert windows == [Window(0, 0, 32, 24), Window(10, 20, 32, 24)]
