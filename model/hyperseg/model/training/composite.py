"""Objects of one sequence pasted onto frames of another: more backgrounds for every object.

A training lever (``ExampleConfig.composite_probability``). The donor frame's object, in its
current and previous frame, is moved by a random shift that keeps all of it inside the frame and
laid over the background frame through a softened alpha (a hard cut would give the network a seam
to find instead of an object). The pasted object is the target; the background's own object stays
as a distractor the clicks have to tell apart. A composite has no cached features: the trainer
runs the frozen backbone on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from hyperseg.model.frames import resize

#: Sigma in pixels of the 3x3 blur that softens the pasted object's edge (one pixel either side).
EDGE_SOFTNESS = 0.8


@dataclass
class Composite:
    rgb: np.ndarray  # (h, w, 3) float32
    previous: np.ndarray  # (h, w, 3) float32
    mask: np.ndarray  # (h, w) bool: the pasted object


def paste_object(background_rgb: np.ndarray, background_previous: np.ndarray, donor_rgb: np.ndarray,
                 donor_previous: np.ndarray, donor_mask: np.ndarray, rng: np.random.Generator) -> Composite | None:
    """The donor's object over the background at a random in-frame shift; None when the donor has no object.

    A donor of another size is resampled to the background's first.
    """
    size = background_rgb.shape[:2]
    if donor_mask.shape != size:
        donor_rgb, donor_previous = resize(donor_rgb, size), resize(donor_previous, size)
        donor_mask = resize(donor_mask.astype(np.float32), size) > 0.5
    rows, cols = np.nonzero(donor_mask)
    if rows.size == 0:
        return None
    height, width = size
    dy = int(rng.integers(-rows.min(), height - rows.max()))
    dx = int(rng.integers(-cols.min(), width - cols.max()))
    shift = np.float32([[1, 0, dx], [0, 1, dy]])

    def moved(image: np.ndarray) -> np.ndarray:
        return cv2.warpAffine(image, shift, (width, height), flags=cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT)

    mask = moved(donor_mask.astype(np.uint8)).astype(bool)
    alpha = cv2.GaussianBlur(mask.astype(np.float32), (3, 3), EDGE_SOFTNESS)[..., None]

    def laid_over(base: np.ndarray, donor: np.ndarray) -> np.ndarray:
        return (alpha * moved(donor) + (1 - alpha) * base).astype(np.float32)

    return Composite(laid_over(background_rgb, donor_rgb), laid_over(background_previous, donor_previous), mask)
