"""Fixtures of the plugin tests: plates and the daemon (plugin_plates.py), a Nuke script (node_script.py).

The stand-in ``nuke`` module (nuke_standin/nuke.py) goes on ``sys.path`` here, before any test imports it."""

import sys
from pathlib import Path

STANDIN = Path(__file__).parent / "nuke_standin"
if str(STANDIN) not in sys.path:
    sys.path.insert(0, str(STANDIN))

from node_script import script  # noqa: E402
from plugin_plates import address, daemon, plate_files, predictor  # noqa: E402

__all__ = ["address", "daemon", "plate_files", "predictor", "script"]
