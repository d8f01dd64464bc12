"""The host side never imports torch: Nuke's Python cannot load it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

STANDIN = Path(__file__).parent / "nuke_standin"


def test_plugin_and_node_import_without_torch():
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(STANDIN)!r})\n"
        "import hyperseg.plugin\n"
        "import hyperseg.plugin.nuke.node\n"
        "import hyperseg.plugin.nuke.point_knobs\n"
        "from hyperseg.plugin import Client\n"
        "loaded = [m for m in sys.modules if m == 'torch' or m.startswith('torch.')]\n"
        "assert not loaded, loaded\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
