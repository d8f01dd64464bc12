"""SegmentRange with propagation on the wire: tracked positions in the replies, empty alphas where every
click is off, and each malformed request refused with a message naming the problem."""

from __future__ import annotations

import grpc
import numpy as np
import pytest
from daemon_wire import points, start, upload
from sliding_disc import SlidingDisc

from hyperseg.imageio import decode_exr_bytes
from hyperseg.v1 import hyperseg_pb2 as pb
from hyperseg.v1 import hyperseg_pb2_grpc as pb_grpc

SHOT = SlidingDisc(cut=1003)
FRAMES = [1001, 1002, 1003]
CLICK = SHOT.on_disc(1001, (3.0, -2.0))


def key(frame: int, xy: tuple[float, float]) -> pb.ClickKey:
    return pb.ClickKey(frame=frame, position=pb.Point(x=xy[0], y=xy[1]))


def request(stub, **changes) -> pb.SegmentRangeRequest:
    """Frames 1001-1003 tracked forward from one positive click keyed on 1001; a cut on 1003."""
    refs = {f: pb.FrameRef(sha256=upload(stub, SHOT.rgb(f))) for f in FRAMES}
    message = pb.SegmentRangeRequest(
        items=[pb.SegmentRangeItem(frame_number=f, frame=refs[f]) for f in FRAMES],
        propagation=pb.Propagation(
            clicks=[pb.ClickTrack(id="p1", sign=pb.SIGN_POSITIVE, keys=[key(1001, CLICK)])],
            direction=pb.DIRECTION_FORWARD,
            frames=[pb.TrackFrame(frame_number=f, frame=refs[f]) for f in FRAMES],
        ),
    )
    for change in changes.values():
        change(message)
    return message


def test_replies_carry_positions_and_a_frame_without_clicks_gets_an_empty_alpha(stub):
    replies = list(stub.SegmentRange(request(stub)))
    assert [r.frame_number for r in replies] == FRAMES
    first, second, cut = replies
    assert [(c.id, c.sign, c.position.x, c.position.y) for c in first.clicks] == [("p1", pb.SIGN_POSITIVE, *CLICK)]
    assert (second.clicks[0].position.x, second.clicks[0].position.y) == pytest.approx(SHOT.on_disc(1002, (3, -2)),
                                                                                    abs=0.1)
    assert not cut.clicks[0].HasField("position")
    assert [(e.click, e.direction) for e in cut.switched_off] == [("p1", pb.DIRECTION_FORWARD)]
    assert cut.switched_off[0].reason.startswith("forward-backward check failed")
    assert list(cut.scores) == [0.0] * 6 and not cut.timings.cache_hit
    assert not np.any(decode_exr_bytes(cut.exr).channel("A"))
    assert decode_exr_bytes(second.exr).channel("A").shape == (SHOT.height, SHOT.width)
    assert first.timings.track_ms > 0 and second.timings.track_ms == 0


def _item_clicks(message):
    message.items[1].positive.extend(points((5.5, 5.5)))


def _item_not_tracked(message):
    del message.propagation.frames[2]


def _item_other_frame(message):
    message.items[2].frame.sha256 = message.items[0].frame.sha256


def _previous_not_the_propagation_frames(message):
    message.items[1].previous.CopyFrom(message.items[0].frame)


def _no_frame_number(message):
    message.items[0].ClearField("frame_number")


def _listed_twice(message):
    message.propagation.frames.append(message.propagation.frames[0])


def _unsigned(message):
    message.propagation.clicks[0].sign = pb.SIGN_UNSPECIFIED


def _no_clicks(message):
    del message.propagation.clicks[:]


def _backwards_span(message):
    message.propagation.clicks[0].off.append(pb.FrameSpan(first=1003, last=1002))


def _keyless(message):
    del message.propagation.clicks[0].keys[:]


@pytest.mark.parametrize("change, message", [
    (_item_clicks, "frame 1002: with propagation the clicks come from the tracks; send none on the item"),
    (_item_not_tracked, "frame 1003 is not among the propagation frames"),
    (_item_other_frame, "frame 1003: the item's frame is not the propagation frame of that number"),
    (_no_frame_number, "item 0: with propagation every item needs its frame_number"),
    (_previous_not_the_propagation_frames, "frame 1002: the item's previous frame is not the propagation frame's"),
    (_listed_twice, "propagation frame 1001 is listed twice"),
    (_unsigned, "click 'p1': sign must be POSITIVE or NEGATIVE"),
    (_no_clicks, "propagation has no clicks"),
    (_backwards_span, "click 'p1': off range [1003, 1002] ends before it starts"),
    (_keyless, "click 'p1': has no keys"),
])
def test_malformed_propagation_is_refused_naming_the_problem(stub, change, message):
    with pytest.raises(grpc.RpcError) as caught:
        list(stub.SegmentRange(request(stub, change=change)))
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details().startswith(message)


def test_too_many_frames_to_track_is_over_the_limit(predictor):
    running = start(predictor, max_propagation_frames=2)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            stub = pb_grpc.HyperSegStub(channel)
            assert stub.GetInfo(pb.GetInfoRequest()).limits.max_propagation_frames == 2
            with pytest.raises(grpc.RpcError) as caught:
                list(stub.SegmentRange(request(stub)))
    finally:
        running.stop(grace=1)
    assert caught.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert caught.value.details() == "3 frames to track through, over this daemon's limit of 2: split the range"


def test_a_click_lost_to_an_occluder_is_re_seeded_from_the_alpha_and_a_later_request_gets_the_same(stub):
    shot = SlidingDisc(occluded=1003, occluder_offset=(14.0, 0.0), occluder=13)
    click = shot.on_disc(1001, (14.0, 0.0))
    refs = {f: pb.FrameRef(sha256=upload(stub, shot.rgb(f))) for f in (1001, 1002, 1003, 1004)}

    def forward(items):
        return list(stub.SegmentRange(pb.SegmentRangeRequest(
            items=[pb.SegmentRangeItem(frame_number=f, frame=refs[f]) for f in items],
            propagation=pb.Propagation(
                clicks=[pb.ClickTrack(id="p1", sign=pb.SIGN_POSITIVE, keys=[key(1001, click)])],
                direction=pb.DIRECTION_FORWARD,
                frames=[pb.TrackFrame(frame_number=f, frame=refs[f]) for f in refs]))))

    whole = forward([1001, 1002, 1003, 1004])
    occluded = whole[2]
    [event] = occluded.switched_off
    assert event.click == "p1" and event.reason.startswith("forward-backward check failed")
    assert "re-seeded as click 'p1_r1003'" in event.reason
    assert "the point of frame 1002's mask's core nearest where it was" in event.reason
    assert [r.frame_number for r in whole] == [1001, 1002, 1003, 1004]
    for reply in whole[2:]:
        p1, reseeded = reply.clicks
        assert p1.id == "p1" and not p1.HasField("position")
        assert (reseeded.id, reseeded.sign) == ("p1_r1003", pb.SIGN_POSITIVE)
        assert reseeded.HasField("position")  # from an untrained model's mask: not what this measures
        assert np.any(decode_exr_bytes(reply.exr).channel("A") > 0.5)
    served = stub.GetInfo(pb.GetInfoRequest()).counters.requests_served
    [later] = forward([1004])  # the frames before it segmented again, unreplied
    assert stub.GetInfo(pb.GetInfoRequest()).counters.requests_served - served == 4
    first, second = forward([1001, 1002]), forward([1003, 1004])  # the second goes on from the first's 1002
    assert stub.GetInfo(pb.GetInfoRequest()).counters.requests_served - served == 4 + 2 + 2
    for reply, once in zip([*first, *second], whole, strict=True):
        assert np.array_equal(decode_exr_bytes(reply.exr).channel("A"), decode_exr_bytes(once.exr).channel("A"))
        assert list(reply.clicks) == list(once.clicks) and list(reply.switched_off) == list(once.switched_off)
    again, once = decode_exr_bytes(later.exr), decode_exr_bytes(whole[3].exr)
    assert np.array_equal(again.channel("A"), once.channel("A")), np.abs(again.channel("A") - once.channel("A")).max()
    assert again.hyperseg_metadata == once.hyperseg_metadata and list(later.clicks) == list(whole[3].clicks)
