"""Round trips against a real daemon on loopback: EXR equals the in-process Predictor's result."""

from __future__ import annotations

import json

import numpy as np
from daemon_wire import make_frame, points, upload

from hyperseg.imageio import decode_exr_bytes
from hyperseg.v1 import hyperseg_pb2 as pb


def test_get_info_reports_model_and_limits(stub, predictor):
    info = stub.GetInfo(pb.GetInfoRequest())
    assert info.checkpoint_id == predictor.checkpoint_id == "untrained-0"
    assert info.backbone == predictor.backbone
    assert info.device == "cpu"
    assert info.hypotheses == 6
    assert info.limits.max_chunk_bytes == 1024 * 1024
    assert info.limits.max_frame_pixels == 4096 * 4096
    assert info.cache_budget_bytes == 64 * 1024 * 1024
    assert not info.auth_required and not info.tls
    assert info.model["checkpoint"] == "untrained-0"


def test_segment_exr_equals_in_process_prediction(stub, predictor):
    frame = make_frame(1)
    sha = upload(stub, frame)
    request = pb.SegmentRequest(
        frame=pb.FrameRef(sha256=sha), positive=points((10.5, 12.5), (20.5, 8.5)), negative=points((2.5, 2.5)),
        hypotheses=pb.HYPOTHESES_ALL, frame_number=1001,
    )
    reply = stub.Segment(request)

    expected = predictor.predict_encoded(
        predictor.encode_frame(frame), positive=[(10.5, 12.5), (20.5, 8.5)], negative=[(2.5, 2.5)], refine=None
    )  # all hypotheses asked for: every one's boundary band is re-solved
    image = decode_exr_bytes(reply.exr)
    assert image.channel_names[0] == "A"
    assert image.pixels.shape == (24, 32, 7)
    half = expected.masks.astype(np.float16).astype(np.float32)
    np.testing.assert_array_equal(image.channel("A"), half[0])
    np.testing.assert_array_equal(image.hypotheses(), half)
    np.testing.assert_allclose(reply.scores, expected.scores, rtol=1e-6)
    assert reply.chosen == 0 and (reply.width, reply.height) == (32, 24)
    assert reply.checkpoint_id == "untrained-0" and reply.frame_number == 1001
    meta = image.hyperseg_metadata
    assert meta["frame"] == "1001" and meta["checkpoint"] == "untrained-0"
    assert json.loads(meta["clicks"]) == {"positive": [[10.5, 12.5], [20.5, 8.5]], "negative": [[2.5, 2.5]]}
    assert not reply.timings.cache_hit and reply.timings.encode_ms > 0 and reply.timings.predict_ms > 0


def test_chosen_hypothesis_goes_to_alpha(stub, predictor):
    frame = make_frame(2)
    sha = upload(stub, frame)
    reply = stub.Segment(pb.SegmentRequest(
        frame=pb.FrameRef(sha256=sha), positive=points((5.5, 5.5)), proxy=0.5, hypothesis=3,
    ))
    expected = predictor.predict_encoded(predictor.encode_frame(frame, proxy=0.5), positive=[(5.5, 5.5)], refine=[3])
    image = decode_exr_bytes(reply.exr)
    assert image.channel_names == ("A",)
    np.testing.assert_array_equal(image.channel("A"), expected.masks[3].astype(np.float16).astype(np.float32))
    assert reply.chosen == 3


def test_second_click_uploads_nothing_and_skips_the_backbone(stub, daemon):
    servicer = daemon.servicer
    frame = make_frame(3, width=40, height=30)
    before = servicer.frame_bytes_received
    sha = upload(stub, frame)
    assert servicer.frame_bytes_received - before == frame.nbytes
    encodes = servicer.encode_calls
    first = stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(sha256=sha), positive=points((4.5, 4.5)), proxy=0.25))
    assert servicer.encode_calls == encodes + 1 and not first.timings.cache_hit

    hits = servicer.cache_hits
    sha_again = upload(stub, frame)  # asks MissingFrames first: nothing to send
    second = stub.Segment(pb.SegmentRequest(
        frame=pb.FrameRef(sha256=sha_again), positive=points((4.5, 4.5)), negative=points((30.5, 20.5)), proxy=0.25,
    ))
    assert sha_again == sha
    assert servicer.frame_bytes_received - before == frame.nbytes
    assert servicer.encode_calls == encodes + 1
    assert servicer.cache_hits == hits + 1
    assert second.timings.cache_hit and second.timings.encode_ms == 0.0

    other_proxy = stub.Segment(pb.SegmentRequest(frame=pb.FrameRef(sha256=sha), positive=points((4.5, 4.5)), proxy=0.5))
    assert not other_proxy.timings.cache_hit and servicer.encode_calls == encodes + 2
    info = stub.GetInfo(pb.GetInfoRequest())
    assert info.counters.encode_calls == servicer.encode_calls
    assert info.counters.frame_bytes_received == servicer.frame_bytes_received
    assert info.counters.cache_hits == servicer.cache_hits


def test_float16_upload_in_small_chunks_matches_float32(stub, daemon):
    frame = make_frame(4).astype(np.float16)
    sha = upload(stub, frame, chunk=1000)
    stored = daemon.servicer.frames.get(sha)
    np.testing.assert_array_equal(stored.rgb, frame.astype(np.float32))


def test_rgba_upload_uses_rgb_channels(stub, daemon):
    frame = make_frame(5, channels=4)
    sha = upload(stub, frame, channel_names=("A", "B", "G", "R"))
    stored = daemon.servicer.frames.get(sha)
    np.testing.assert_array_equal(stored.rgb, frame[:, :, [3, 2, 1]])
