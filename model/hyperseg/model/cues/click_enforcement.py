"""Clicks are honoured: where a hypothesis contradicts a click, the walker's region decides.

A network can ignore a click (a positive click on a thin part its features miss, say); the
evaluation clicker, and a compositor, would then click the same spot again and again. With
``ModelConfig.enforce_clicks`` every hypothesis is checked at every click: if the clicked pixel
has the wrong side of 0.5, the connected region around it where the random walker (which treats
every click as a seed) takes the click's side and the hypothesis does not, takes the walker's
probabilities. Hypotheses that agree with all clicks are left exactly as the network made them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import ndimage

from hyperseg.protocol.clicks import Point


def enforce_clicks(probabilities: np.ndarray, walker: np.ndarray, positive: Sequence[Point],
                   negative: Sequence[Point]) -> np.ndarray:
    """(M, H, W) hypotheses with every contradicted click's walker region patched in; clicks in (H, W) pixels."""
    out = probabilities.copy()
    for hypothesis in out:
        for points, foreground in ((positive, True), (negative, False)):
            for x, y in points:
                row, col = int(y), int(x)
                if (hypothesis[row, col] > 0.5) == foreground:
                    continue
                walker_side = walker > 0.5 if foreground else walker <= 0.5
                disagree = walker_side & ((hypothesis <= 0.5) if foreground else (hypothesis > 0.5))
                labels, _ = ndimage.label(disagree)
                if labels[row, col]:
                    region = labels == labels[row, col]
                    hypothesis[region] = walker[region]
    return out
