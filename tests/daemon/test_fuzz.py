"""Seeded fuzzing of UploadFrame and Segment messages against a real daemon, and of clicks.json.

Every answer must be OK or a status code the protocol documents (protos/hyperseg/v1/hyperseg.proto),
never INTERNAL or UNKNOWN, and the daemon must still answer health checks and a good request after.
The seeds are fixed, so a failure reproduces exactly; raise FUZZ_CASES locally to search longer.
"""

from __future__ import annotations

import json
import math
import os
import random
import string

import grpc
import numpy as np
import pytest
from daemon_wire import chunks_for, make_frame, points, start, upload
from grpc_health.v1 import health_pb2, health_pb2_grpc

from hyperseg.imageio import write_image
from hyperseg.protocol.clicktracks import ClickTracks
from hyperseg.protocol.errors import HypersegError
from hyperseg.v1 import hyperseg_pb2 as pb
from hyperseg.v1 import hyperseg_pb2_grpc as pb_grpc

CASES = int(os.environ.get("FUZZ_CASES", "150"))
DOCUMENTED = {
    grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.DATA_LOSS,
    grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.ABORTED, grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.UNAVAILABLE,
}
GOOD = make_frame(600, width=16, height=12)


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzzroot")
    write_image(root / "plate.exr", make_frame(601, width=16, height=12), ["R", "G", "B"])
    (root / "corrupt.exr").write_bytes(b"\x76\x2f\x31\x01" + bytes(40))
    os.mkfifo(root / "fifo.exr")
    return root


@pytest.fixture(scope="module")
def fuzz_daemon(predictor, fuzz_root):
    running = start(predictor, allow_roots=(fuzz_root,), frame_store_mb=4, max_frame_pixels=64 * 64)
    yield running
    running.stop(grace=2)


@pytest.fixture
def fuzz_stub(fuzz_daemon):
    with grpc.insecure_channel(f"127.0.0.1:{fuzz_daemon.port}") as channel:
        yield pb_grpc.HyperSegStub(channel), channel


def wild_int(rng: random.Random, bits: int, signed: bool) -> int:
    low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
    return rng.choice([0, 1, 2, 3, 12, 16, 64, 1000, high, low, rng.randint(low, high), rng.randint(0, 40)])


def wild_float(rng: random.Random) -> float:
    return rng.choice([0.0, 0.5, 1.5, 7.5, -1.0, 1e30, -1e30, math.nan, math.inf, -math.inf, 0.05, 0.01,
                       rng.uniform(-50, 50), rng.random()])


def wild_text(rng: random.Random) -> str:
    alphabet = string.printable + "é\u0000,🙂"
    return "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 3, 64, 300])))


def wild_window(rng: random.Random, width: int, height: int) -> pb.Window:
    return pb.Window(x=wild_int(rng, 32, True), y=wild_int(rng, 32, True),
                     width=rng.choice([width, wild_int(rng, 32, False)]),
                     height=rng.choice([height, wild_int(rng, 32, False)]))


def fuzzed_upload(rng: random.Random) -> list[pb.FrameChunk]:
    """A valid upload, mutated: header fields, windows, chunk order, sizes, offsets, bytes."""
    width, height = rng.choice([(16, 12), (4, 4), (1, 1), (64, 64), (65, 64)])
    frame = make_frame(rng.randrange(10**6), width=width, height=height)
    chunks = chunks_for(frame.astype(rng.choice([np.float32, np.float16])), chunk=rng.choice([256, 1024, 4096]))
    header = chunks[0].header
    for _ in range(rng.randint(0, 3)):
        mutation = rng.randrange(12)
        if mutation == 0:
            header.width = wild_int(rng, 32, False)
        elif mutation == 1:
            header.height = wild_int(rng, 32, False)
        elif mutation == 2:
            header.channel_names[:] = [wild_text(rng) for _ in range(rng.randint(0, 20))]
        elif mutation == 3:
            header.dtype = rng.randint(0, 5)
        elif mutation == 4:
            header.total_bytes = wild_int(rng, 64, False)
        elif mutation == 5:
            header.display_window.CopyFrom(wild_window(rng, width, height))
        elif mutation == 6:
            header.data_window.CopyFrom(wild_window(rng, width, height))
        elif mutation == 7:
            header.sha256 = rng.choice([wild_text(rng), "f" * 64, header.sha256.upper()])
        elif mutation == 8 and len(chunks) > 1:
            chunks.pop(rng.randrange(len(chunks)))
        elif mutation == 9:
            victim = chunks[rng.randrange(len(chunks))]
            victim.offset = wild_int(rng, 64, False)
        elif mutation == 10:
            victim = chunks[rng.randrange(len(chunks))]
            data = bytearray(victim.data or b"\0")
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
            victim.data = bytes(data)
        else:
            extra = pb.FrameChunk(offset=wild_int(rng, 64, False), data=os.urandom(rng.randint(0, 64)))
            if rng.random() < 0.3:
                extra.header.CopyFrom(header)
            chunks.insert(rng.randrange(len(chunks) + 1), extra)
    if rng.random() < 0.1:
        chunks[0].ClearField("header")
    return chunks


def fuzzed_ref(rng: random.Random, known: str, root) -> pb.FrameRef:
    choice = rng.randrange(6)
    if choice == 0:
        return pb.FrameRef(sha256=known)
    if choice == 1:
        return pb.FrameRef(sha256=rng.choice([wild_text(rng), "0" * 64]))
    if choice == 2:
        return pb.FrameRef()
    names = ["plate.exr", "corrupt.exr", "fifo.exr", "missing.exr", "../../etc/passwd", "", "a\0b"]
    path = rng.choice([str(root / rng.choice(names)), rng.choice(names), wild_text(rng), "/proc/self/environ"])
    return pb.FrameRef(path=path)


def fuzzed_segment(rng: random.Random, known: str, root) -> pb.SegmentRequest:
    """A good request on the known frame or the plate path, with 0-3 fields made wild."""
    frame = rng.choice([pb.FrameRef(sha256=known), pb.FrameRef(path=str(root / "plate.exr"))])
    request = pb.SegmentRequest(frame=frame, positive=points((rng.uniform(0, 16), rng.uniform(0, 12))),
                                proxy=rng.choice([0.5, 1.0, 0.25]), hypotheses=rng.randint(0, 2))
    for _ in range(rng.randint(0, 3)):
        mutation = rng.randrange(9)
        if mutation == 0:
            request.frame.CopyFrom(fuzzed_ref(rng, known, root))
        elif mutation == 1:
            request.previous.CopyFrom(fuzzed_ref(rng, known, root))
        elif mutation in (2, 3):
            sign = getattr(request, rng.choice(["positive", "negative"]))
            sign.extend(pb.Point(x=rng.choice([wild_float(rng), rng.uniform(0, 16)]),
                                 y=rng.choice([wild_float(rng), rng.uniform(0, 12)]))
                        for _ in range(rng.choice([1, 2, 5, 200])))
        elif mutation == 4:
            request.proxy = wild_float(rng)
        elif mutation == 5:
            request.hypothesis = rng.choice([wild_int(rng, 32, False), rng.randrange(6)])
        elif mutation == 6:
            request.frame_number = wild_int(rng, 64, True)
        elif mutation == 7:
            request.client_id = wild_text(rng)[:40]
        else:
            request.hypotheses = rng.randint(0, 4)
    return request


def status_of(call) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as error:
        assert error.code() in DOCUMENTED, f"{error.code()}: {error.details()}"
        return error.code()
    return grpc.StatusCode.OK


def assert_alive(stub, channel) -> None:
    health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert health.status == health_pb2.HealthCheckResponse.SERVING
    sha = upload(stub, GOOD)
    reply = stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(sha256=sha), positive=points((4.5, 4.5)),
                                           proxy=0.5), timeout=60)
    assert (reply.width, reply.height) == (16, 12)


def test_fuzzed_uploads_get_documented_codes(fuzz_stub):
    stub, channel = fuzz_stub
    rng = random.Random(16_001)
    codes = [status_of(lambda: stub.UploadFrame(iter(fuzzed_upload(rng)), timeout=30)) for _ in range(CASES)]
    assert codes.count(grpc.StatusCode.INVALID_ARGUMENT) > CASES // 4, "the fuzzer should mostly break things"
    assert grpc.StatusCode.OK in codes
    assert_alive(stub, channel)


def test_fuzzed_segments_get_documented_codes(fuzz_stub, fuzz_root):
    stub, channel = fuzz_stub
    known = upload(stub, GOOD)
    rng = random.Random(16_002)
    codes = [
        status_of(lambda: stub.Segment(fuzzed_segment(rng, known, fuzz_root), timeout=60)) for _ in range(CASES)
    ]
    assert {grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT} <= set(codes)
    assert_alive(stub, channel)


def fuzzed_clicks(rng: random.Random) -> object:
    def value(depth: int) -> object:
        kind = rng.randrange(9 if depth < 3 else 6)
        return [
            lambda: None, lambda: rng.choice([True, False]), lambda: wild_int(rng, 64, True),
            lambda: wild_float(rng), lambda: wild_text(rng), lambda: rng.choice(["positive", "negative", "1001"]),
            lambda: [value(depth + 1) for _ in range(rng.randint(0, 3))],
            lambda: {rng.choice(["id", "sign", "keys", "off", "version", "clicks", "1001", wild_text(rng)]):
                     value(depth + 1) for _ in range(rng.randint(0, 4))},
            lambda: [rng.choice([1001, "1001", -5, wild_float(rng)]), rng.choice([1010, "x", wild_float(rng)])],
        ][kind]()

    click = {"id": wild_text(rng), "sign": rng.choice(["positive", "negative", value(1)]),
             "keys": {str(rng.choice([1001, -3, 10**20])): [wild_float(rng), wild_float(rng)],
                      "1005": value(1)}}
    if rng.random() < 0.5:
        click["off"] = value(1)
    document = {"version": rng.choice([1, 1, 1, 2, "1", None]), "clicks": rng.choice([[click], value(0), []])}
    return rng.choice([document, document, value(0)])


def test_fuzzed_clicks_json_is_read_or_refused_with_one_clear_error(tmp_path):
    rng = random.Random(16_003)
    path = tmp_path / "clicks.json"
    outcomes = {"read": 0, "refused": 0}
    for _ in range(CASES * 4):
        document = fuzzed_clicks(rng)
        if rng.random() < 0.2:
            text = json.dumps(document, allow_nan=True).encode()
            cut = rng.randrange(len(text) + 1)
            path.write_bytes(text[:cut] + os.urandom(rng.randint(0, 3)))
        else:
            path.write_text(json.dumps(document, allow_nan=True))
        try:
            tracks = ClickTracks.load(path)
            for frame in (-10**20, -1, 0, 1001, 1005, 10**20):
                tracks.at(frame)
            outcomes["read"] += 1
        except HypersegError as error:
            assert str(error) and "\n" not in str(error)
            outcomes["refused"] += 1
    assert outcomes["read"] > 0 and outcomes["refused"] > 0
