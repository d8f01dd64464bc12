"""Nuke runs this at start-up, with or without a GUI (``nuke -t``): no UI here.

Makes ``hyperseg`` importable in Nuke's own Python. Install the plugin side (``pip install --target
DIR 'hyperseg[plugin]'`` with the Python version Nuke ships) and point ``HYPERSEG_SITE`` at DIR;
nothing is needed when ``hyperseg`` is already importable. DIR goes at the end of ``sys.path``, so
Nuke's own packages (its numpy, PySide, OpenColorIO) are never shadowed by the install's copies.
"""

import os
import sys

_site = os.environ.get("HYPERSEG_SITE")
if _site and _site not in sys.path:
    sys.path.append(_site)
