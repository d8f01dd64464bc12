"""Temporal quality of a shot's masks: J over the shot, its decay, and flicker the motion does not explain.

- ``J``: the mean region IoU over all frames (DAVIS's J).
- ``decay``: mean J over the first third of the frames minus mean J over the last third
  (DAVIS's J-decay uses quarters; thirds here, as the issue asks); positive when quality falls.
- ``flicker``: for each pair of consecutive frames, the previous mask is carried into the next
  frame by dense optical flow (OpenCV's DIS, medium preset, from the next frame back to the
  previous one; at 854x480 it is twice as fast as Farneback and sharper at object edges)
  and compared with the next mask: |M_t xor warp(M_t-1)| / |M_t or warp(M_t-1)|, averaged over
  the pairs. Change that the image's motion explains costs nothing; masks that jump, breathe or
  lose parts between frames do. The ground truth's own flicker (flow error, deformation,
  occlusion) is the floor to read it against.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from hyperseg.model.evaluation.metrics import check_mask
from hyperseg.model.propagation.point_tracker import to_gray


def backward_flow(previous_rgb: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """(H, W, 2) flow from each pixel of ``rgb`` to where it was in ``previous_rgb`` (DIS, medium)."""
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    return dis.calc(to_gray(rgb), to_gray(previous_rgb), None)


def warp_mask(mask: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """``mask`` of the previous frame carried into the next one along ``backward_flow``."""
    height, width = mask.shape
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    map_x, map_y = x + flow[..., 0], y + flow[..., 1]
    warped = cv2.remap(mask.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return warped > 0.5


def flicker(masks: Sequence[np.ndarray], flows: Sequence[np.ndarray]) -> float:
    """Mean unexplained change between consecutive masks; ``flows[t - 1]`` carries frame t - 1 to t."""
    if len(masks) < 2:
        return 0.0
    changes = []
    for t in range(1, len(masks)):
        now = check_mask(masks[t], f"mask {t}")
        carried = warp_mask(check_mask(masks[t - 1], f"mask {t - 1}"), flows[t - 1])
        union = int(np.count_nonzero(now | carried))
        changes.append(0.0 if union == 0 else np.count_nonzero(now ^ carried) / union)
    return float(np.mean(changes))


def decay(j_per_frame: Sequence[float]) -> float:
    """Mean J of the first third of the frames minus that of the last third."""
    j = np.asarray(j_per_frame, dtype=np.float64)
    third = max(1, len(j) // 3)
    return float(j[:third].mean() - j[-third:].mean())
