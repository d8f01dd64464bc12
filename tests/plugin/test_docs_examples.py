"""The TD examples in docs/plugin.md run as written, against a real daemon."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugin.md"
BLOCKS = [b for b in re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S) if "nuke" not in b]


def test_the_doc_has_client_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_client_example_runs(index, address, tmp_path, capsys):
    code = BLOCKS[index].replace("localhost:50051", address).replace("/tmp/", f"{tmp_path}/")
    exec(compile(code, f"docs/plugin.md example {index + 1}", "exec"), {"__name__": "__main__"})
    printed = capsys.readouterr().out
    if "bad click" in code:
        assert "bad click:" in printed and "daemon unreachable at 127.0.0.1:1" in printed
