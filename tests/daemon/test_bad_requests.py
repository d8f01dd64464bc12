"""Every bad request gets the right status and a message naming the problem; the daemon survives."""

from __future__ import annotations

import grpc
import numpy as np
import pytest
from daemon_wire import chunks_for, make_frame, points, upload

from hyperseg.v1 import hyperseg_pb2 as pb

INVALID = grpc.StatusCode.INVALID_ARGUMENT
EXHAUSTED = grpc.StatusCode.RESOURCE_EXHAUSTED
FRAME = make_frame(100)


def _upload(chunks):
    return lambda stub, sha: stub.UploadFrame(iter(chunks))


def _segment(**fields):
    def call(stub, sha):
        request = pb.SegmentRequest(frame=pb.FrameRef(sha256=sha), **fields)
        return stub.Segment(request)

    return call


def _wrong_total():
    chunks = chunks_for(FRAME)
    chunks[0].header.total_bytes += 4
    return chunks


def _nan_frame():
    frame = FRAME.copy()
    frame[3, 7, 1] = np.nan
    return chunks_for(frame)


def _swapped_chunks():
    chunks = chunks_for(FRAME, chunk=1024)
    header = chunks[0].header
    chunks[0].ClearField("header")
    chunks[0], chunks[1] = chunks[1], chunks[0]
    chunks[0].header.CopyFrom(header)
    return chunks


def _oversize_header():
    header = pb.FrameHeader(sha256="0" * 64, width=5000, height=5000, channel_names=["R", "G", "B"],
                            dtype=pb.DTYPE_FLOAT16, total_bytes=5000 * 5000 * 3 * 2)
    return [pb.FrameChunk(header=header)]


def _big_chunk():
    frame = make_frame(101, width=512, height=256)  # 1.5 MiB
    chunks = chunks_for(frame, chunk=1024 * 1024 + 16)
    return chunks


def _huge_message():
    frame = make_frame(102, width=1024, height=1024)  # 12 MiB, over the 4 MiB message limit
    return chunks_for(frame, chunk=6 * 1024 * 1024)


def _truncated():
    return chunks_for(FRAME, chunk=1024)[:-1]


def _headerless():
    chunks = chunks_for(FRAME)
    chunks[0].ClearField("header")
    return chunks


def _wrong_hash():
    return chunks_for(FRAME, sha256="a" * 64)


def _two_channels():
    return chunks_for(FRAME[:, :, :2], channel_names=("R", "G"))


def _range_too_long(stub, sha):
    item = pb.SegmentRangeItem(frame=pb.FrameRef(sha256=sha), positive=points((1.5, 1.5)))
    return list(stub.SegmentRange(pb.SegmentRangeRequest(items=[item] * 1001)))


def _range_bad_item(stub, sha):
    items = [
        pb.SegmentRangeItem(frame_number=7, frame=pb.FrameRef(sha256=sha), positive=points((1.5, 1.5))),
        pb.SegmentRangeItem(frame_number=8, frame=pb.FrameRef(sha256=sha), positive=points((99.5, 1.5))),
    ]
    return list(stub.SegmentRange(pb.SegmentRangeRequest(items=items, proxy=0.25)))


def _previous_of_other_size(stub, sha):
    other = upload(stub, make_frame(103, width=16, height=16))
    return stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(sha256=sha), previous=pb.FrameRef(sha256=other),
                                          positive=points((1.5, 1.5))))


CASES = {
    "upload total_bytes wrong": (_upload(_wrong_total()), INVALID, "does not match"),
    "upload NaN pixel": (_upload(_nan_frame()), INVALID, "NaN or infinite values (first at x=7, y=3)"),
    "upload chunks out of order": (_upload(_swapped_chunks()), INVALID, "in order without gaps"),
    "upload over max frame pixels": (_upload(_oversize_header()), EXHAUSTED, "--max-frame-pixels"),
    "upload chunk over 1 MiB": (_upload(_big_chunk()), INVALID, "chunk limit"),
    "upload message over limit": (_upload(_huge_message()), EXHAUSTED, ""),
    "upload truncated": (_upload(_truncated()), INVALID, "upload ended after"),
    "upload without header": (_upload(_headerless()), INVALID, "must carry the frame header"),
    "upload hash mismatch": (_upload(_wrong_hash()), INVALID, "content hash mismatch"),
    "upload without RGB": (_upload(_two_channels()), INVALID, "need R, G and B"),
    "missing frames bad hash": (
        lambda stub, sha: stub.MissingFrames(pb.MissingFramesRequest(hashes=["../../etc"])), INVALID, "hex",
    ),
    "unknown hash": (
        lambda stub, sha: stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(sha256="f" * 64),
                                                         positive=points((1.5, 1.5)))),
        grpc.StatusCode.NOT_FOUND, "not on the daemon",
    ),
    "empty frame reference": (
        lambda stub, sha: stub.Segment(pb.SegmentRequest(positive=points((1.5, 1.5)))), INVALID, "reference is empty",
    ),
    "click off frame": (_segment(positive=points((32.0, 5.5))), INVALID, "outside the 32x24 frame"),
    "negative click off frame": (
        _segment(positive=points((1.5, 1.5)), negative=points((-0.5, 5.5))), INVALID, "negative click 0",
    ),
    "NaN click": (_segment(positive=points((float("nan"), 5.5))), INVALID, "not a finite"),
    "no clicks": (_segment(), INVALID, "no clicks"),
    "too many clicks": (_segment(positive=points(*[(1.5, 1.5)] * 129)), EXHAUSTED, "limit of 128"),
    "proxy zero": (_segment(positive=points((1.5, 1.5)), proxy=0.0), INVALID, "proxy must be a scale"),
    "proxy above one": (_segment(positive=points((1.5, 1.5)), proxy=1.5), INVALID, "proxy must be a scale"),
    "hypothesis out of range": (
        _segment(positive=points((1.5, 1.5)), hypothesis=6), INVALID, "hypothesis 6 does not exist",
    ),
    "previous frame of another size": (_previous_of_other_size, INVALID, "previous frame is 16x16"),
    "path with no allowed roots": (
        lambda stub, sha: stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(path="/etc/passwd"),
                                                         positive=points((1.5, 1.5)))),
        grpc.StatusCode.PERMISSION_DENIED, "--allow-root",
    ),
    "range too long": (_range_too_long, EXHAUSTED, "split the range"),
    "range item clicks off frame": (_range_bad_item, INVALID, "frame 8: positive click 0"),
}


@pytest.fixture
def frame_sha(stub):
    return upload(stub, FRAME)


@pytest.mark.parametrize("case", list(CASES))
def test_bad_request_gets_its_status(case, stub, frame_sha):
    call, code, message = CASES[case]
    with pytest.raises(grpc.RpcError) as raised:
        call(stub, frame_sha)
    assert raised.value.code() == code, raised.value.details()
    assert message in raised.value.details()


def test_daemon_alive_and_counting_after_bad_requests(stub, daemon, frame_sha):
    failed = daemon.servicer.requests_failed
    with pytest.raises(grpc.RpcError):
        stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(sha256=frame_sha)))
    assert daemon.servicer.requests_failed == failed + 1
    reply = stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(sha256=frame_sha), positive=points((3.5, 3.5)),
                                           proxy=0.25))
    assert reply.width == 32 and len(reply.scores) == 6
