"""The alpha EXR every HyperSeg writer produces: its channel names and its ``hyperseg/`` metadata.

One schema for the daemon's replies, ``hyperseg batch``, ``hyperseg segment`` and the host plugin,
so a reader (``--resume``, a TD's script, a comp) finds the same attributes under the same names
whoever wrote the file. Torch- and OpenImageIO-free: ``hyperseg.imageio`` writes what this names.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

ALPHA_CHANNEL = "A"
HYPOTHESIS_PREFIX = "hypotheses.h"  # hypotheses.h0 .. hypotheses.h<M-1>, best first
METADATA_PREFIX = "hyperseg/"  # every attribute below is stored as METADATA_PREFIX + key

CLICKS = "clicks"  # JSON {"positive": [[x, y], ...], "negative": [...]}, display-window pixels, y down
CHECKPOINT = "checkpoint"  # checkpoint id of the weights that made the alpha
FRAME = "frame"  # the plate's frame number, when there is one
BACKBONE = "backbone"  # backbone name and fingerprint, when the writer knows it
SOURCE = "source"  # the plate file the alpha was made from, when the writer read one
PROXY = "proxy"  # the scale the network ran at, when the writer chose it

Click = Sequence[float]


def clicks_json(positive: Sequence[Click], negative: Sequence[Click]) -> str:
    """The ``clicks`` attribute: both click lists as JSON, in the order given."""
    return json.dumps({"positive": [list(p) for p in positive], "negative": [list(n) for n in negative]})


def alpha_metadata(
    *,
    positive: Sequence[Click],
    negative: Sequence[Click],
    checkpoint: str,
    frame: int | None = None,
    backbone: str | None = None,
    source: str | None = None,
    proxy: float | None = None,
) -> dict[str, str]:
    """The ``hyperseg/`` attributes of one alpha (keys without the prefix); unknown fields are left out."""
    metadata = {CLICKS: clicks_json(positive, negative), CHECKPOINT: checkpoint}
    optional = {FRAME: frame, BACKBONE: backbone, SOURCE: source, PROXY: proxy}
    metadata.update({key: str(value) for key, value in optional.items() if value is not None})
    return metadata
