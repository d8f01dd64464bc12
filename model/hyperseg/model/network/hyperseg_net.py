"""HyperSegNet: backbone hypercolumns, Tucker compression and the CAN, with the folded hot path.

Two computations give the same numbers:

- ``forward_naive``: the paper as written. Tessellated VGG-19 maps are upsampled to frame size
  (nearest), compressed to 736 channels, concatenated with the context and fed to the CAN.
  At 2K that tensor is ~6 GB in float32; it exists here only for tests at small sizes.
- ``encode`` + ``decode``: the product's path. Upsampling, stitching, the Tucker projection and
  layer 1's image part are all linear and commute, so each hypercolumn layer is multiplied by one
  folded (width x C_l) matrix at its NATIVE resolution, then the width-channel result is sampled
  up to frame size and summed. ``encode`` is everything that depends only on the image (cache it);
  ``decode`` is the click path: layer 1's context part and layers 2-10; ``decode_click`` is the
  same for inference, without autograd or a concatenation per layer (``ContextAggregationNet.click_kernel``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from hyperseg.model.config import ModelConfig
from hyperseg.model.network.backbone import HYPERCOLUMN_STRIDE, VGG19Hypercolumns
from hyperseg.model.network.can import ContextAggregationNet
from hyperseg.model.network.tessellate import TileGrid, nearest_indices, stitch, tessellate, upsample_nearest
from hyperseg.model.network.tucker import TuckerCompressor

#: Tiles run through the backbone at once; bounds peak memory at large frames.
TILE_BATCH = 4
#: Output rows sampled up and accumulated at once when summing the projected layers.
ROW_BAND = 256


def upsample_and_sum(maps: Sequence[torch.Tensor], size: tuple[int, int], bias: torch.Tensor,
                     window: tuple[int, int, int, int] | None = None,
                     matrices: Sequence[torch.Tensor | None] | None = None) -> torch.Tensor:
    """bias + sum_l nearest_up(matrix_l @ maps_l) at ``size`` = (H, W), or its ``window`` = (y0, x0, y1, x1).

    maps_l: (C_l, h_l, w_l); matrix_l: (width, C_l), or None where maps_l already has ``width``
    channels. Each product is taken at the map's native resolution, one band of output rows at a
    time, so neither a full-size copy of a layer nor a full projected map is ever held.
    """
    y0, x0, y1, x1 = window if window is not None else (0, 0, *size)
    out = bias.view(-1, 1, 1).expand(-1, y1 - y0, x1 - x0).clone()
    for index, layer_maps in enumerate(maps):
        matrix = matrices[index] if matrices is not None else None
        h, w = layer_maps.shape[-2:]
        cols = nearest_indices(w, size[1], x0, x1, layer_maps.device)
        for top in range(y0, y1, ROW_BAND):
            bottom = min(top + ROW_BAND, y1)
            rows = nearest_indices(h, size[0], top, bottom, layer_maps.device)
            first, last = int(rows[0]), int(rows[-1]) + 1
            band = layer_maps[:, first:last, cols[0] : cols[-1] + 1]
            if matrix is not None:
                band = torch.einsum("wc,chx->whx", matrix, band.to(matrix.dtype))
            out[:, top - y0 : bottom - y0] += band[:, rows - first][:, :, cols - cols[0]]
    return out


class HyperSegNet(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.backbone = VGG19Hypercolumns(config.backbone)
        self.compressor = TuckerCompressor(config.tucker_ranks)
        self.can = ContextAggregationNet(config)

    def stitched_maps(self, rgb: torch.Tensor, per_layer: Callable[[int, torch.Tensor], torch.Tensor] | None = None,
                      only: Sequence[int] | None = None) -> list[torch.Tensor]:
        """Tessellate (3, H, W) in [0, 1], run the tiles in batches, stitch each layer in place.

        ``per_layer(index, tile_maps)`` transforms each batch of tile maps before stitching (a
        projection), so full-depth maps of all tiles never coexist. ``only`` runs those tiles alone
        and leaves the others' cells zero. Returns (C, rows*s_l, cols*s_l) per layer.
        """
        grid = TileGrid(rgb.shape[1], rgb.shape[2], self.config.tile_size)
        tiles = tessellate(rgb, grid)
        chosen = list(range(grid.count)) if only is None else list(only)
        canvases: list[torch.Tensor | None] = [None] * len(self.backbone.layers)
        for start in range(0, len(chosen), TILE_BATCH):
            batch = chosen[start : start + TILE_BATCH]
            for index, maps in enumerate(self.backbone(tiles[batch])):
                maps = maps if per_layer is None else per_layer(index, maps)
                if canvases[index] is None:
                    s = maps.shape[-1]
                    shape = (maps.shape[1], grid.rows * s, grid.cols * s)
                    canvases[index] = maps.new_empty(shape) if only is None else maps.new_zeros(shape)
                for offset, tile in enumerate(batch):
                    stitch(maps[offset : offset + 1], grid, canvases[index], tile)
        return canvases

    def window_tiles(self, height: int, width: int, size: tuple[int, int],
                     window: tuple[int, int, int, int]) -> list[int]:
        """The tiles of a ``height`` x ``width`` frame whose maps ``window`` = (y0, x0, y1, x1) of the
        frame shown at ``size`` = (H, W) samples, in any layer."""
        grid = TileGrid(height, width, self.config.tile_size)
        y0, x0, y1, x1 = window
        rows, cols = set(), set()
        for stride in HYPERCOLUMN_STRIDE.values():
            cell = grid.tile // stride
            rows |= set((nearest_indices(grid.rows * cell, size[0], y0, y1) // cell).tolist())
            cols |= set((nearest_indices(grid.cols * cell, size[1], x0, x1) // cell).tolist())
        return sorted(row * grid.cols + col for row in rows for col in cols)

    def compressed_maps(self, rgb: torch.Tensor, size: tuple[int, int] | None = None,
                        window: tuple[int, int, int, int] | None = None) -> list[torch.Tensor]:
        """Each layer's Tucker-compressed map at native resolution (what training caches). With
        ``window`` of the frame shown at ``size``, only the tiles it samples run (the rest is zero)."""
        only = None if window is None else self.window_tiles(rgb.shape[1], rgb.shape[2], size, window)
        return self.stitched_maps(rgb, self.compressor.compress, only)

    def folded_matrices(self) -> list[torch.Tensor]:
        """Layer 1's image weights times each layer's Tucker projection: (width, C_l) per layer."""
        return [w @ self.compressor.projection(i) for i, w in enumerate(self.can.image_weights())]

    def image_part_from_compressed(self, compressed: Sequence[torch.Tensor], size: tuple[int, int],
                                   window: tuple[int, int, int, int] | None = None) -> torch.Tensor:
        """Layer 1's image part from cached compressed maps (training): (width, H, W) or a window of it."""
        return upsample_and_sum(compressed, size, self.can.first.bias, window, self.can.image_weights())

    def encode(self, rgb: torch.Tensor) -> torch.Tensor:
        """Everything image-only, folded: layer 1's image part plus bias, (width, H, W).

        A layer deeper than the CAN is wide is projected tile batch by tile batch before stitching;
        a shallower one (conv1_2 against the paper's 70) is stitched as it is and projected band by
        band while it is sampled up. Either way only the smaller form is ever held at full extent.
        """
        folded = self.folded_matrices()
        early = [m.shape[1] > m.shape[0] for m in folded]
        maps = self.stitched_maps(
            rgb, lambda i, tile_maps: torch.einsum("wc,tchx->twhx", folded[i], tile_maps) if early[i] else tile_maps
        )
        late = [None if e else m for e, m in zip(early, folded, strict=True)]
        return upsample_and_sum(maps, tuple(rgb.shape[1:]), self.can.first.bias, matrices=late)

    def decode(self, image_part: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """The click path: (B, width, H, W) image part + (B, C_ctx, H, W) context -> logits (B, M, H, W)."""
        return self.can.forward_after_first(image_part + self.can.first_layer_context(context), context)

    def decode_click(self, image_part: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """``decode`` for inference, one frame or crop: (1, width, H, W) + (1, C_ctx, H, W) -> logits (1, M, H, W)."""
        return self.can.click_kernel(image_part, context)

    def hypercolumns(self, rgb: torch.Tensor) -> torch.Tensor:
        """The paper's dense compressed hypercolumn (736, H, W): for tests and small frames only."""
        maps = self.stitched_maps(rgb)
        size = tuple(rgb.shape[1:])
        return torch.cat([
            self.compressor.compress(i, upsample_nearest(m, size)) for i, m in enumerate(maps)
        ])

    def forward_naive(self, rgb: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """The paper's computation as written: logits (1, M, H, W)."""
        return self.can(self.hypercolumns(rgb)[None], context)
