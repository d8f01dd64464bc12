"""Convolutional tessellation (paper sec. 2.3).

A w x h frame is resized to 224*ceil(w/224) x 224*ceil(h/224), cut into T = cols * rows tiles of
224 x 224 that run through the backbone as one batch, and each layer's tile maps are stitched back
in place. Stitched maps are brought to frame size by nearest-neighbour sampling
(``nearest_indices``), which is also what lets the hot path apply linear maps at a layer's native
resolution and sample afterwards: sampling commutes with any per-pixel linear map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class TileGrid:
    """How a frame of ``height`` x ``width`` is tiled."""

    height: int
    width: int
    tile: int = 224

    @property
    def rows(self) -> int:
        return math.ceil(self.height / self.tile)

    @property
    def cols(self) -> int:
        return math.ceil(self.width / self.tile)

    @property
    def count(self) -> int:
        return self.rows * self.cols

    @property
    def resized(self) -> tuple[int, int]:
        """(height, width) the frame is resized to before cutting."""
        return self.rows * self.tile, self.cols * self.tile


def tessellate(image: torch.Tensor, grid: TileGrid) -> torch.Tensor:
    """(3, H, W) -> (T, 3, tile, tile), tiles in row-major order."""
    if image.shape[-2:] != (grid.height, grid.width):
        raise ValueError(f"image is {tuple(image.shape[-2:])}, grid expects {(grid.height, grid.width)}")
    resized = F.interpolate(image[None], size=grid.resized, mode="bilinear", align_corners=False)[0]
    c, t = resized.shape[0], grid.tile
    tiles = resized.reshape(c, grid.rows, t, grid.cols, t).permute(1, 3, 0, 2, 4)
    return tiles.reshape(grid.count, c, t, t)


def stitch(tile_maps: torch.Tensor, grid: TileGrid, out: torch.Tensor | None = None, first: int = 0) -> torch.Tensor:
    """Put (n, C, s, s) maps of tiles first..first+n-1 in their places of ``out``, (C, rows * s, cols * s).

    Without ``out`` the maps must be all T tiles and a new canvas is returned. Batches of tiles can
    be stitched into one canvas as they come, so no second full-size copy is ever made.
    """
    count, c, s, s2 = tile_maps.shape
    if s != s2 or first + count > grid.count or (out is None and count != grid.count):
        raise ValueError(f"expected square maps of tiles {first}..{first + count - 1} of {grid.count}, "
                         f"got {tuple(tile_maps.shape)}")
    if out is None:
        out = tile_maps.new_empty((c, grid.rows * s, grid.cols * s))
    for offset in range(count):
        row, col = divmod(first + offset, grid.cols)
        out[:, row * s : (row + 1) * s, col * s : (col + 1) * s] = tile_maps[offset]
    return out


def nearest_indices(source: int, target: int, start: int = 0, stop: int | None = None,
                    device: torch.device | str = "cpu") -> torch.Tensor:
    """Source index of each target index in [start, stop), as ``F.interpolate(mode="nearest")``."""
    stop = target if stop is None else stop
    positions = torch.arange(start, stop, device=device, dtype=torch.float64)
    return torch.clamp((positions * (source / target)).floor().long(), max=source - 1)


def upsample_nearest(maps: torch.Tensor, size: tuple[int, int],
                     window: tuple[int, int, int, int] | None = None) -> torch.Tensor:
    """(C, h, w) -> (C, H, W) nearest-neighbour; ``window`` = (y0, x0, y1, x1) samples only that crop."""
    h, w = maps.shape[-2:]
    y0, x0, y1, x1 = window if window is not None else (0, 0, size[0], size[1])
    rows = nearest_indices(h, size[0], y0, y1, maps.device)
    cols = nearest_indices(w, size[1], x0, x1, maps.device)
    return maps[:, rows][:, :, cols]
