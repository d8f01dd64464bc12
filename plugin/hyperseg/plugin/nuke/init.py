"""Nuke runs this at start-up, with or without a GUI (``nuke -t``): no UI here.

Makes ``hyperseg`` importable in Nuke's own Python. Install the plugin side (``pip install --target
DIR 'hyperseg[plugin]'`` with the Python version Nuke ships) and point ``HYPERSEG_SITE`` at DIR;
nothing is needed when ``hyperseg`` is already importable.
"""

import os
import sys

_site = os.environ.get("HYPERSEG_SITE")
if _site and _site not in sys.path:
    sys.path.insert(0, _site)
