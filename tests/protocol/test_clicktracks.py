import json
import os

import pytest

from hyperseg.protocol.clicktracks import ClickTrack, ClickTracks
from hyperseg.protocol.errors import InputError, NotFoundError

DESIGN_EXAMPLE = {
    "version": 1,
    "clicks": [
        {"id": "p1", "sign": "positive", "keys": {"1001": [812.5, 400.5], "1050": [790.5, 410.5]}},
        {"id": "n1", "sign": "negative", "keys": {"1001": [100.5, 80.5]}, "off": [[1020, 1030]]},
    ],
}


def test_linear_between_keys():
    tracks = ClickTracks.from_dict(DESIGN_EXAMPLE)
    positive, _ = tracks.at(1001)
    assert positive == [(812.5, 400.5)]
    positive, _ = tracks.at(1050)
    assert positive == [(790.5, 410.5)]
    # 49 frames between keys; frame 1025 is 24/49 of the way.
    (x, y), = tracks.at(1025)[0]
    assert x == pytest.approx(812.5 + (790.5 - 812.5) * 24 / 49)
    assert y == pytest.approx(400.5 + 10.0 * 24 / 49)


def test_holds_outside_keys():
    tracks = ClickTracks.from_dict(DESIGN_EXAMPLE)
    assert tracks.at(900)[0] == [(812.5, 400.5)]
    assert tracks.at(2000)[0] == [(790.5, 410.5)]
    assert tracks.at(900)[1] == [(100.5, 80.5)]


def test_three_keys_pick_the_right_segment():
    track = ClickTrack("p", "positive", {10: (0.0, 0.0), 20: (10.0, 0.0), 30: (10.0, 20.0)})
    assert track.position(15) == (5.0, 0.0)
    assert track.position(25) == (10.0, 10.0)
    assert track.position(20) == (10.0, 0.0)


def test_off_ranges_are_inclusive():
    tracks = ClickTracks.from_dict(DESIGN_EXAMPLE)
    assert tracks.at(1019)[1] == [(100.5, 80.5)]
    assert tracks.at(1020)[1] == []
    assert tracks.at(1030)[1] == []
    assert tracks.at(1031)[1] == [(100.5, 80.5)]
    assert tracks.at(1025)[0] != []


def test_round_trip_through_file(tmp_path):
    path = tmp_path / "clicks.json"
    ClickTracks.from_dict(DESIGN_EXAMPLE).save(path)
    assert json.loads(path.read_text()) == DESIGN_EXAMPLE
    assert ClickTracks.load(path).to_dict() == DESIGN_EXAMPLE
    assert os.listdir(tmp_path) == ["clicks.json"]


def test_save_replaces_atomically(tmp_path):
    path = tmp_path / "clicks.json"
    path.write_text("old")
    ClickTracks([ClickTrack("p", "positive", {1: (1.0, 2.0)})]).save(path)
    assert ClickTracks.load(path).at(1) == ([(1.0, 2.0)], [])
    assert sorted(os.listdir(tmp_path)) == ["clicks.json"]


def test_bad_json_names_file_and_position(tmp_path):
    path = tmp_path / "clicks.json"
    path.write_text('{"version": 1, "clicks": [')
    with pytest.raises(InputError, match=r"clicks.json is not valid JSON: .* line 1"):
        ClickTracks.load(path)


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(NotFoundError, match="clicks file not found"):
        ClickTracks.load(tmp_path / "nope.json")


def _one(**click):
    return {"version": 1, "clicks": [{"id": "a", "sign": "positive", "keys": {"1": [0, 0]}, **click}]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"version": 2, "clicks": []}, "version 2 is not supported; expected 1"),
        ({"clicks": []}, "has no 'version'"),
        (_one(sign="maybe"), "unknown sign 'maybe'"),
        (_one(keys={}), "has no keys"),
        (_one(keys={"x": [0, 0]}), "frame 'x'"),
        (_one(keys={"1": [0]}), r"\[x, y\] numbers"),
        (_one(off=[[5, 2]]), "ends before it starts"),
        (_one(wat=1), "unknown field.*wat"),
        ({"version": 1, "clicks": [{"sign": "positive", "keys": {"1": [0, 0]}}]}, "missing field 'id'"),
        (
            {"version": 1, "clicks": [{"id": "a", "sign": "positive", "keys": {"1": [0, 0]}}] * 2},
            "more than once",
        ),
    ],
)
def test_bad_content_is_a_clear_input_error(tmp_path, data, message):
    path = tmp_path / "clicks.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=message) as info:
        ClickTracks.load(path)
    assert str(path) in str(info.value)


def test_nan_position_rejected():
    with pytest.raises(InputError, match="finite"):
        ClickTrack("p", "positive", {1: (float("nan"), 0.0)})
