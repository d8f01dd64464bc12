"""``Client.segment_range(..., propagate=...)``: the daemon tracks clicks through real frames and says where."""

from __future__ import annotations

import numpy as np
import pytest
from sliding_disc import SlidingDisc

from hyperseg.imageio import write_image
from hyperseg.plugin import Client, RangeItem
from hyperseg.protocol.clicktracks import ClickTrack, ClickTracks
from hyperseg.protocol.errors import InputError

FRAMES = list(range(1001, 1009))
OFFSET = (3.0, -2.0)
STILL = (115.5, 85.5)  # on the still background


def clicks(shot: SlidingDisc, keys: dict[int, tuple[float, float]] | None = None) -> ClickTracks:
    return ClickTracks([ClickTrack("p1", "positive", keys or {1001: shot.on_disc(1001, OFFSET)}),
                        ClickTrack("n1", "negative", {1001: STILL})])


def items(shot: SlidingDisc, frames=FRAMES) -> list[RangeItem]:
    return [RangeItem(shot.rgb(f), frame_number=f) for f in frames]


def positions(results) -> dict[int, dict[str, tuple[float, float] | None]]:
    return {r.frame_number: {c.id: c.position for c in r.clicks} for r in results}


def test_clicks_keyed_once_follow_the_disc_and_every_split_gives_one_runs_answer(address):
    shot = SlidingDisc()
    with Client(address) as client:
        whole = list(client.segment_range(items(shot), propagate=True, clicks=clicks(shot), batch=len(FRAMES)))
        split = list(client.segment_range(items(shot), propagate="forward", clicks=clicks(shot), batch=3))
        resumed = list(client.segment_range(items(shot), propagate="forward", clicks=clicks(shot), batch=2,
                                            only=[1006, 1007]))
    tracked = positions(whole)
    assert sorted(tracked) == FRAMES
    for frame in FRAMES:
        assert tracked[frame]["p1"] == pytest.approx(shot.on_disc(frame, OFFSET), abs=0.1)
        assert tracked[frame]["n1"] == pytest.approx(STILL, abs=0.01)
        assert not next(r for r in whole if r.frame_number == frame).switched_off
    assert positions(split) == tracked
    assert positions(resumed) == {f: tracked[f] for f in (1006, 1007)}
    assert len(whole) == len(split)  # zip(strict=) is Python 3.10+; this file also runs on 3.9
    for one, many in zip(whole, split):
        np.testing.assert_array_equal(one.alpha, many.alpha)
    np.testing.assert_array_equal(resumed[1].alpha, whole[6].alpha)
    assert whole[0].timings["track_ms"] > 0 and whole[1].timings["track_ms"] == 0


def test_a_cut_switches_the_clicks_off_with_the_reason_and_the_rest_of_the_range_says_so(address, tmp_path):
    shot = SlidingDisc(cut=1005)
    for frame in FRAMES:  # plates as files, uploaded by the client
        write_image(tmp_path / f"plate.{frame}.exr", shot.rgb(frame), ("R", "G", "B"))
    keyed = clicks(shot, {1001: shot.on_disc(1001, OFFSET), 1007: shot.on_disc(1007, OFFSET)})
    range_items = [RangeItem(tmp_path / f"plate.{f}.exr", frame_number=f) for f in FRAMES]
    with Client(address, send_paths=False) as client:
        results = {r.frame_number: r for r in client.segment_range(range_items, propagate="forward", clicks=keyed)}
    events = [event for r in results.values() for event in r.switched_off]
    assert {(e.click, e.frame, e.direction) for e in events} == {("p1", 1005, "forward"), ("n1", 1005, "forward")}
    assert all("forward-backward check failed" in e.reason for e in events)
    tracked = positions(results.values())
    assert tracked[1005] == tracked[1006] == {"p1": None, "n1": None}
    assert tracked[1007]["p1"] == shot.on_disc(1007, OFFSET)  # p1's key: back on, from its key
    assert tracked[1008]["p1"] is not None and tracked[1008]["n1"] is None  # n1 has no later key
    written = keyed.tracks[0].rekeyed({f: p["p1"] for f, p in tracked.items()})
    assert written.off == [(1005, 1006)] and sorted(written.keys) == [1001, 1002, 1003, 1004, 1007, 1008]


def test_both_directions_pull_the_path_towards_a_correction_key(address):
    shot = SlidingDisc()
    wrong = shot.on_disc(1001, (OFFSET[0] + 4.0, OFFSET[1]))  # the first click 4 px off; corrected on 1008
    keyed = clicks(shot, {1001: wrong, 1008: shot.on_disc(1008, OFFSET)})
    with Client(address) as client:
        forward = positions(client.segment_range(items(shot), propagate="forward", clicks=keyed))
        both = positions(client.segment_range(items(shot), propagate="both", clicks=keyed, batch=3))
    for frame in (1002, 1004, 1006):
        error_forward = abs(forward[frame]["p1"][0] - shot.on_disc(frame, OFFSET)[0])
        error_both = abs(both[frame]["p1"][0] - shot.on_disc(frame, OFFSET)[0])
        assert error_forward == pytest.approx(4.0, abs=0.3)
        assert error_both == pytest.approx(4.0 * (1008 - frame) / 7, abs=0.3)
    assert both[1008]["p1"] == forward[1008]["p1"] == shot.on_disc(1008, OFFSET)


@pytest.mark.parametrize("kwargs, message", [
    ({"propagate": "sideways"}, "propagate must be True, False or one of forward, backward, both"),
    ({"propagate": True}, "propagate= needs clicks="),
    ({"clicks": ClickTracks([ClickTrack("p1", "positive", {1: (1.0, 1.0)})])}, "clicks= and only= go with propagate="),
])
def test_bad_propagation_arguments_say_what_is_wrong(address, kwargs, message):
    shot = SlidingDisc()
    with Client(address) as client, pytest.raises(InputError, match=message):
        list(client.segment_range(items(shot, FRAMES[:2]), **kwargs))


def test_propagated_items_carry_frame_numbers_and_no_clicks(address):
    shot = SlidingDisc()
    with Client(address) as client, pytest.raises(InputError, match="item 1: with propagate= give each item"):
        list(client.segment_range([RangeItem(shot.rgb(1001), frame_number=1001),
                                   RangeItem(shot.rgb(1002), positive=[(5.5, 5.5)], frame_number=1002)],
                                  propagate=True, clicks=clicks(shot)))
