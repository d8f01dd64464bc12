"""The TD examples in docs/plugin.md run as written against a real daemon, and do what the doc says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hyperseg.imageio import is_complete_exr, read_image
from hyperseg.protocol.clicktracks import ClickTracks

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugin.md"
BLOCKS = [b for b in re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S) if "nuke" not in b]


def test_the_doc_has_client_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_client_example_runs(index, address, tmp_path, capsys):
    code = BLOCKS[index].replace("localhost:50051", address).replace("/tmp/", f"{tmp_path}/")
    exec(compile(code, f"docs/plugin.md example {index + 1}", "exec"), {"__name__": "__main__"})
    printed = capsys.readouterr().out
    written = sorted(tmp_path.glob("alpha.*.exr"))
    if "bad click" in code:
        assert "bad click:" in printed and "outside" in printed and "64x48" in printed
        assert "daemon unreachable at 127.0.0.1:1" in printed
        assert not written
    elif "segment_range" in code:
        assert [p.name for p in written] == ["alpha.0001.exr", "alpha.0002.exr", "alpha.0003.exr"]
        assert all(is_complete_exr(p, ["A"]) for p in written)
        if "propagate=" in code:  # p1 followed the image, 1 px up and left a frame, and became a key on each
            [p1] = ClickTracks.load(tmp_path / "clicks.json").tracks
            assert sorted(p1.keys) == [1, 2, 3] and p1.keys[3] == pytest.approx((30.5, 22.5), abs=0.1)
            assert printed == ""
    else:
        assert printed.splitlines()[0] == "untrained-0"
        assert printed.splitlines()[1].startswith("(48, 64) (6, 48, 64) ")
        [alpha] = written
        image = read_image(alpha)
        assert image.channel_names == ("A", *(f"hypotheses.h{k}" for k in range(6)))
        assert image.pixels.shape == (48, 64, 7)
