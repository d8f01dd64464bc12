"""Which of a later click's hypotheses the caller gets first.

The network answers with M hypotheses, trained so that one of them fits (the minimum of eq. 3) and
hypothesis 0 fits best on average. A later click's hypothesis 0 sometimes floods: it puts right the
error the click was placed in and pours on past it, lowering the IoU (docs/tuning.md, "A later
click's change kept near the contour"). With ``ModelConfig.later_click_hypothesis`` "least_change",
the hypothesis that changes the previous answer least on the grid the click ran on comes first: of
the answers the network offers for the clicks, the one that keeps the most of what the artist
already accepted. The first click of a frame has nothing to keep and keeps the trained order.
"""

from __future__ import annotations

import numpy as np


def least_change_first(hypotheses: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """(M, H, W) ``hypotheses`` with the one whose 0.5 contour differs from ``previous`` ((H, W) bool,
    the previous answer on the same grid) in the fewest pixels moved to the front, the rest in their
    order; ties keep the earlier hypothesis."""
    changes = [np.count_nonzero((hypothesis > 0.5) != previous) for hypothesis in hypotheses]
    chosen = int(np.argmin(changes))
    if chosen == 0:
        return hypotheses
    order = [chosen] + [index for index in range(len(hypotheses)) if index != chosen]
    return hypotheses[order]
