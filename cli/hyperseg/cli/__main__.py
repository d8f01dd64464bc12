"""``python -m hyperseg.cli``: the ``hyperseg`` command."""

import sys

from hyperseg.cli import main

sys.exit(main())
