"""The TD examples in docs/plugin.md run as written against a real daemon, and do what the doc says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hyperseg.imageio import is_complete_exr, read_image

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
    else:
        assert printed.splitlines()[0] == "untrained-0"
        assert printed.splitlines()[1].startswith("(48, 64) (6, 48, 64) ")
        [alpha] = written
        image = read_image(alpha)
        assert image.channel_names == ("A", *(f"hypotheses.h{k}" for k in range(6)))
        assert image.pixels.shape == (48, 64, 7)
