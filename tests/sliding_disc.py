"""A shot with known motion, for propagation tests on the host side (numpy only, as the plugin is):
a textured disc sliding a whole number of pixels a frame over a still textured background."""

from __future__ import annotations

import numpy as np


def smooth_texture(height: int, width: int, seed: int) -> np.ndarray:
    """(H, W, 3) float32 in [0, 1]: noise averaged over 5x5 boxes, trackable everywhere."""
    noise = np.random.default_rng(seed).uniform(0, 1, (height + 4, width + 4, 3))
    summed = np.cumsum(np.cumsum(np.pad(noise, ((1, 0), (1, 0), (0, 0))), axis=0), axis=1)
    box = summed[5:, 5:] - summed[:-5, 5:] - summed[5:, :-5] + summed[:-5, :-5]
    return ((box - box.min()) / (box.max() - box.min())).astype(np.float32)


class SlidingDisc:
    """Frame ``first + t`` shows a disc of ``radius`` centred at ``start + t * velocity`` (wire pixels);
    from frame ``cut`` on, another shot (other textures, nothing to track across). On frame
    ``occluded`` a square of other texture (side ``2 * occluder``) covers the spot ``occluder_offset``
    from the disc's centre: a click there loses its track while the rest of the disc does not."""

    def __init__(self, width: int = 128, height: int = 96, first: int = 1001, start=(40.0, 44.0),
                 velocity=(3, 1), radius: float = 28.0, cut: int | None = None, occluded: int | None = None,
                 occluder_offset=(3.0, -2.0), occluder: int = 9) -> None:
        self.width, self.height, self.first, self.radius, self.cut = width, height, first, radius, cut
        self.occluded, self.occluder_offset, self.occluder = occluded, occluder_offset, occluder
        self.start, self.velocity = np.array(start), np.array(velocity)
        self.background = smooth_texture(height, width, 0)
        self.foreground = smooth_texture(height + 64, width + 64, 1) * 0.6 + 0.4

    def centre(self, frame: int) -> np.ndarray:
        return self.start + (frame - self.first) * self.velocity

    def on_disc(self, frame: int, offset=(0.0, 0.0)) -> tuple[float, float]:
        """Wire coordinates of the point ``offset`` from the disc's centre on ``frame``."""
        x, y = self.centre(frame) + np.array(offset)
        return (float(x), float(y))

    def rgb(self, frame: int) -> np.ndarray:
        dx, dy = (frame - self.first) * self.velocity
        moved = self.foreground[32 - dy : 32 - dy + self.height, 32 - dx : 32 - dx + self.width]
        y, x = np.mgrid[0 : self.height, 0 : self.width] + 0.5
        cx, cy = self.centre(frame)
        disc = (x - cx) ** 2 + (y - cy) ** 2 <= self.radius**2
        frame_rgb = np.where(disc[..., None], moved, self.background).astype(np.float32)
        if frame == self.occluded:
            x0, y0 = (int(v) for v in self.on_disc(frame, self.occluder_offset))
            side = 2 * self.occluder
            frame_rgb[y0 - self.occluder : y0 + self.occluder, x0 - self.occluder : x0 + self.occluder] = \
                smooth_texture(side, side, 7)
        return frame_rgb if self.cut is None or frame < self.cut else 1.0 - frame_rgb[::-1, ::-1]
