import pytest

from benchmarks import harness
from hyperseg.model.data import SPLIT


def test_a_tuning_benchmark_refuses_report_sequences(capsys):
    parser = harness.tuning_parser("example", "doc", frames=3, frames_help="frames")
    args = parser.parse_args([])
    assert args.sequences == list(SPLIT["tuning"]) and args.frames == 3
    assert parser.parse_args(["--sequences", SPLIT["tuning"][0]]).sequences == [SPLIT["tuning"][0]]
    with pytest.raises(SystemExit):
        parser.parse_args(["--sequences", SPLIT["tuning"][0], SPLIT["report"][0]])
    assert f"'{SPLIT['report'][0]}' is not a tuning sequence" in capsys.readouterr().err
