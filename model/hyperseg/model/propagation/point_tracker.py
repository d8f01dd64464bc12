"""One step of point tracking: where each click of frame t lies on frame t + 1 (or t - 1).

A click alone is a poor thing to track (a single pixel on a flat patch has no motion to
measure), so each click is represented by a small grid of support points within
``support_radius`` of it. Every support point is tracked with OpenCV's pyramidal Lucas-Kanade
from the source frame to the target frame, then back again; a support point is kept when both
directions converged and it comes back within ``max_fb_error`` pixels of where it started
(Kalal et al.'s forward-backward error). The click moves by the median displacement of the kept
support points. It stays trusted while at least ``min_support`` of its support points are kept
(of those that start inside the frame) and it is still inside the frame; otherwise it is switched
off with the reason. Given the source frame's mask (``step(..., mask, positive)``) and
``TrackerConfig.own_side`` (off by default), a click moves with its kept support points on its own
side of the mask only (inside for a positive click, outside for a negative one), where it has any:
a click near the contour then follows its object (or background) rather than the other side's
texture.
``region_motion`` moves a whole mask the same way (the median motion of kept points on a grid inside
it), which is where a lost positive click is re-seeded (``click_propagation``).

Points are wire coordinates (x right, y down, pixel centres at +0.5); OpenCV's pixel centres are
at integers, so the tracker shifts by half a pixel on the way in and out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from hyperseg.protocol.clicks import Point
from hyperseg.protocol.errors import InputError

#: When a lost positive click is replaced from the previous frame's mask (``TrackerConfig.reseed``).
RESEED_RULES = ("never", "no positive click", "positive switch-off")
#: Where on the previous frame's mask a re-seeded click starts (``TrackerConfig.reseed_at``).
RESEED_PLACES = ("deepest point", "near the lost click")


@dataclass(frozen=True)
class TrackerConfig:
    """The tracker's settings; pixels are pixels of the frames it is given.

    The tracking defaults (window, levels, support, forward-backward check) were first picked on
    the first 60 frames of six DAVIS sequences that are now report sequences (dog, goat, parkour,
    drift-chicane, horsejump-high, breakdance: a slip of the protocol, from before the split), one
    click at the deepest point of the first frame's mask, against a stricter window 21 / 3 levels /
    1 px / half the support, which dropped the click within 20 frames on four of them. Re-checked on
    the whole tuning shots (``benchmarks.propagation_tuning --frames 104``, the four tuning
    sequences to their last frame, ``propagation_tuning_whole_shots.json``): the stricter tracker
    gave J 0.731 and decay 0.098 against these defaults' 0.736 and 0.079 (both re-seeding near the
    lost click; it lost its clicks 76 times), so they stand on tuning data. None of 200 points
    survived a cut between two DAVIS shots.
    """

    #: Side of Lucas-Kanade's integration window (odd).
    window: int = 31
    #: Pyramid levels above the frame (4: motions up to about window * 2**4 / 2 pixels a frame).
    levels: int = 4
    #: Support points lie on a grid of this step within this radius of the click.
    support_radius: float = 12.0
    support_step: float = 4.0
    #: A support point whose backward track misses its start by more than this is dropped.
    max_fb_error: float = 3.0
    #: The click switches off when fewer than this fraction of its support points are kept.
    min_support: float = 0.3
    #: When a pass that is told each frame's mask re-seeds a positive click from the previous
    #: frame's mask (``click_propagation``): ``"never"``; ``"no positive click"``, when a positive
    #: click switches off and none is left on; ``"positive switch-off"``, whenever one that was on
    #: switches off. Chosen on the tuning shots
    #: (``benchmarks.propagation_tuning``, four sequences, 30 frames each): J 0.772 and decay 0.039
    #: against 0.769 and 0.049 for the other two rules (which never fired there); car-roundabout's
    #: re-seed alone took its decay from 0.138 to 0.105.
    reseed: str = "positive switch-off"
    #: Where a re-seeded click starts on the previous frame's mask (then moved by the mask's tracked
    #: motion): ``"deepest point"``, the mask's interior pixel farthest from its contour, one re-seed
    #: a frame; ``"near the lost click"``, for every positive click lost on the frame, the mask's
    #: core pixel (at least ``reseed_core`` of the deepest point's distance from the contour) nearest
    #: where that click was, so a click lost on a limb is replaced on that limb. Near the lost click
    #: on the whole tuning shots (``--frames 104``, eight re-seeds against four): J 0.736 and decay
    #: 0.079 against 0.735 and 0.082 at the deepest point (car-roundabout 0.785 / 0.045 against
    #: 0.777 / 0.050); on their first 30 frames, where three clicks were lost, the two tie.
    reseed_at: str = "near the lost click"
    reseed_core: float = 0.5
    #: The mask's motion (``region_motion``) is the median of about this many points inside it,
    #: trusted when at least this fraction of them passes the forward-backward check (none of a
    #: mask's points passes across a cut between shots, where no click is re-seeded; 0.1 is a
    #: guard against cuts, not a tuned value: the tuning shots never reach it).
    region_points: int = 300
    region_min_support: float = 0.1
    #: Move a click by its support points on its own side of the source frame's mask (when one is
    #: given) rather than by all of them; trust is still judged on all of them. Off: on the four
    #: tuning shots (``benchmarks.propagation_tuning``, 30 frames each) it lowered J from 0.772 to
    #: 0.766 and raised decay from 0.039 to 0.055 (car-roundabout's clicks sit well inside the car,
    #: where all support agrees, and the edge's support steadied them).
    own_side: bool = False
    #: A pass told each frame's mask (``click_propagation``) switches off a tracked click that lands
    #: more than this many pixels on the wrong side of the previous frame's mask moved by the mask's
    #: tracked motion (a positive click outside it, a negative one inside it); 0 turns it off. Off: on
    #: the tuning shots 8 px took J only from 0.772 to 0.773 (scooter-black's 0.628 to 0.632; 24 px
    #: never fired), and it trusts the product's own mask over the artist's click: on a frame the
    #: network misses, every positive click would switch off and be re-seeded inside the miss.
    object_margin: float = 0.0

    def __post_init__(self) -> None:
        if self.window < 3 or self.window % 2 == 0:
            raise InputError(f"tracker window must be an odd number of pixels >= 3, got {self.window}")
        if self.levels < 0:
            raise InputError(f"tracker pyramid levels must be >= 0, got {self.levels}")
        if self.support_radius < 0 or self.support_step <= 0:
            raise InputError("tracker support radius must be >= 0 and its step > 0")
        if self.max_fb_error <= 0 or not 0 < self.min_support <= 1:
            raise InputError("tracker max_fb_error must be > 0 and min_support in (0, 1]")
        if self.reseed not in RESEED_RULES:
            raise InputError(f"tracker reseed {self.reseed!r} is not one of {', '.join(map(repr, RESEED_RULES))}")
        if self.reseed_at not in RESEED_PLACES:
            raise InputError(f"tracker reseed_at {self.reseed_at!r} is not one of "
                             f"{', '.join(map(repr, RESEED_PLACES))}")
        if not 0 <= self.reseed_core <= 1:
            raise InputError(f"tracker reseed_core must be in [0, 1], got {self.reseed_core}")
        if self.object_margin < 0:
            raise InputError(f"tracker object_margin must be >= 0 pixels, got {self.object_margin}")
        if self.region_points < 1 or not 0 < self.region_min_support <= 1:
            raise InputError("tracker region_points must be >= 1 and region_min_support in (0, 1]")

    def support_offsets(self) -> np.ndarray:
        """(K, 2) offsets of the support points from their click, the click itself first."""
        steps = int(self.support_radius // self.support_step)
        grid = np.arange(-steps, steps + 1) * self.support_step
        offsets = [(float(dx), float(dy)) for dy in grid for dx in grid
                   if (dx, dy) != (0, 0) and dx * dx + dy * dy <= self.support_radius**2 + 1e-9]
        return np.array([(0.0, 0.0), *offsets], dtype=np.float32)


@dataclass(frozen=True)
class TrackedPoint:
    """A click on the target frame: its position, or None with the reason it switched off."""

    position: Point | None
    reason: str | None = None
    support_kept: int = 0
    support_total: int = 0

    @property
    def trusted(self) -> bool:
        return self.position is not None


def to_gray(rgb: np.ndarray) -> np.ndarray:
    """(H, W) uint8 luminance of an (H, W, 3) float frame in [0, 1], what the tracker compares."""
    rgb = np.asarray(rgb, dtype=np.float32)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise InputError(f"frame to track on must be (H, W, 3) RGB, got shape {rgb.shape}")
    gray = cv2.cvtColor(np.clip(rgb, 0.0, 1.0), cv2.COLOR_RGB2GRAY)
    return np.round(gray * 255.0).astype(np.uint8)


class PointTracker:
    """Moves clicks from one grey frame to another; see the module docstring."""

    def __init__(self, config: TrackerConfig | None = None) -> None:
        self.config = config or TrackerConfig()
        self._offsets = self.config.support_offsets()
        self._lk = {
            "winSize": (self.config.window, self.config.window),
            "maxLevel": self.config.levels,
            "criteria": (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 0.01),
        }

    def step(self, source: np.ndarray, target: np.ndarray, points: Sequence[Point], mask: np.ndarray | None = None,
             positive: Sequence[bool] | None = None) -> list[TrackedPoint]:
        """Each of ``points`` (on grey ``source``) on grey ``target``, from ``to_gray``; ``mask`` (bool,
        the frames' size) is ``source``'s segmentation and ``positive`` each point's sign, for
        ``TrackerConfig.own_side``."""
        if source.shape != target.shape or source.ndim != 2 or source.dtype != np.uint8:
            raise InputError(f"tracking needs two grey uint8 frames of one size, got {source.shape} {source.dtype} "
                             f"and {target.shape} {target.dtype}")
        if not points:
            return []
        height, width = source.shape
        clicks = np.array(points, dtype=np.float32).reshape(-1, 1, 2) - 0.5
        start = (clicks + self._offsets[None]).reshape(-1, 1, 2)
        forward, fb_error, kept = self._forward_backward(source, target, start)
        x, y = start[:, 0, 0], start[:, 0, 1]
        inside = (x >= -0.5) & (x < width - 0.5) & (y >= -0.5) & (y < height - 0.5)
        count = len(self._offsets)
        kept, inside = (kept & inside).reshape(len(points), count), inside.reshape(len(points), count)
        moves = (forward - start).reshape(len(points), count, 2)
        fb_error = fb_error.reshape(len(points), count)
        mover = kept
        if mask is not None and positive is not None and self.config.own_side:
            rows = np.clip(np.round(y).astype(int), 0, height - 1)
            cols = np.clip(np.round(x).astype(int), 0, width - 1)
            own = mask[rows, cols].reshape(len(points), count) == np.asarray(positive, dtype=bool)[:, None]
            own_kept = kept & own
            mover = np.where(own_kept.any(axis=1, keepdims=True), own_kept, kept)
        return [self._click(points[i], kept[i], mover[i], moves[i], fb_error[i][inside[i]], int(inside[i].sum()),
                            width, height) for i in range(len(points))]

    def _forward_backward(self, source: np.ndarray, target: np.ndarray,
                          start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Lucas-Kanade from ``source`` to ``target`` and back for (N, 1, 2) ``start`` points (OpenCV
        pixels): where they went, their forward-backward error, and which passed the check (tracked
        both ways and back within ``max_fb_error``)."""
        forward, ok_forward, _ = cv2.calcOpticalFlowPyrLK(source, target, start, None, **self._lk)
        back, ok_back, _ = cv2.calcOpticalFlowPyrLK(target, source, forward, None, **self._lk)
        fb_error = np.linalg.norm((back - start).reshape(-1, 2), axis=1)
        kept = (ok_forward.ravel() == 1) & (ok_back.ravel() == 1) & (fb_error <= self.config.max_fb_error)
        return forward, fb_error, kept

    def _click(self, point: Point, kept: np.ndarray, mover: np.ndarray, moves: np.ndarray, fb_error: np.ndarray,
               total: int, width: int, height: int) -> TrackedPoint:
        """The click moved by the median motion of its ``mover`` support points (kept ones), or switched off
        with the reason when too few were ``kept``."""
        count = int(kept.sum())
        if total == 0 or count < self.config.min_support * total:
            finite = fb_error[np.isfinite(fb_error)]
            typical = float(np.median(finite)) if finite.size else float("inf")
            reason = (f"forward-backward check failed: {count} of {total} support points came back within "
                      f"{self.config.max_fb_error:g} px (median error {typical:.1f} px)")
            return TrackedPoint(None, reason, count, total)
        dx, dy = np.median(moves[mover], axis=0)
        x, y = point[0] + float(dx), point[1] + float(dy)
        if not (0.0 <= x < width and 0.0 <= y < height):
            return TrackedPoint(None, f"left the {width}x{height} frame at ({x:.1f}, {y:.1f})", count, total)
        return TrackedPoint((x, y), None, count, total)

    def region_motion(self, source: np.ndarray, target: np.ndarray, mask: np.ndarray) -> tuple[float, float] | None:
        """The median motion from grey ``source`` to ``target`` of points on a grid inside ``mask`` (bool,
        the frames' size) that pass the forward-backward check; None when fewer than
        ``region_min_support`` of them do (or the mask is empty)."""
        rows, cols = np.nonzero(mask)
        if rows.size == 0:
            return None
        stride = max(1, int(np.sqrt(rows.size / self.config.region_points)))
        on_grid = (rows % stride == 0) & (cols % stride == 0)
        start = np.stack([cols[on_grid], rows[on_grid]], axis=1).astype(np.float32).reshape(-1, 1, 2)
        forward, _, kept = self._forward_backward(source, target, start)
        if kept.sum() < self.config.region_min_support * kept.size:
            return None
        dx, dy = np.median((forward - start).reshape(-1, 2)[kept], axis=0)
        return (float(dx), float(dy))
