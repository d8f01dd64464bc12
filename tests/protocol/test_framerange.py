import pytest
from fileseq import FrameSet

from hyperseg.protocol.errors import InputError
from hyperseg.protocol.framerange import chunk_frames, format_frame_range, parse_frame_range


def test_plain_range_is_inclusive():
    frames = parse_frame_range("1001-1100")
    assert frames[0] == 1001 and frames[-1] == 1100 and len(frames) == 100


def test_stepped_range():
    assert parse_frame_range("1001-1010x2") == [1001, 1003, 1005, 1007, 1009]
    assert parse_frame_range("1001-1100x2")[-1] == 1099


def test_list_with_holes_is_sorted_and_unique():
    frames = parse_frame_range("1010-1012, 1001,1005,1011")
    assert frames == [1001, 1005, 1010, 1011, 1012]
    assert parse_frame_range("1001,1005,1010-1020") == [1001, 1005, *range(1010, 1021)]


def test_single_frame_and_negative_frames():
    assert parse_frame_range("7") == [7]
    assert parse_frame_range("-3--1") == [-3, -2, -1]


@pytest.mark.parametrize(
    ("spec", "names"),
    [
        ("", "empty frame range"),
        ("   ", "empty frame range"),
        ("1001,,1005", "bad part ''"),
        ("1001-abc", "bad part '1001-abc'"),
        ("1100-1001", "end 1001 is before the start 1100"),
        ("1001-1010x0", "a step S of at least 1"),
        ("1001x2", "bad part '1001x2'"),
        ("1001-1010x", "bad part '1001-1010x'"),
        ("1.5", "bad part '1.5'"),
    ],
)
def test_bad_specs_name_the_bad_part(spec, names):
    with pytest.raises(InputError, match=names.replace("(", r"\(")) as info:
        parse_frame_range(spec)
    assert repr(spec) in str(info.value)


def test_format_round_trips():
    frames = parse_frame_range("1001,1005,1010-1020,1022")
    assert format_frame_range(frames) == "1001,1005,1010-1020,1022"
    assert parse_frame_range(format_frame_range(frames)) == frames


def test_chunks_are_consecutive_and_bounded():
    assert chunk_frames([5, 1, 2, 3, 4], 2) == [[1, 2], [3, 4], [5]]
    with pytest.raises(InputError, match="chunk size"):
        chunk_frames([1], 0)


def test_fileseq_forms_beyond_the_stepped_range():
    assert parse_frame_range("1-10y3") == [2, 3, 5, 6, 8, 9]  # every frame but the steps
    assert parse_frame_range("1-10:4") == list(range(1, 11))  # staggered: all frames, coarse to fine
    assert format_frame_range([1001, 1003, 1005, 1007, 1010]) == "1001-1007x2,1010"


def test_what_fileseq_alone_accepts_and_a_batch_refuses():
    """Why parse_frame_range checks each part: FrameSet takes these without a word."""
    assert list(FrameSet("1001,,1005")) == [1001, 1005]
    assert list(FrameSet("1003-1001")) == [1003, 1002, 1001]
    assert [float(f) for f in FrameSet("1.5")] == [1.5]
    for spec in ("1001,,1005", "1003-1001", "1.5"):
        with pytest.raises(InputError, match="bad part"):
            parse_frame_range(spec)
