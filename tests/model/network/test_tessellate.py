import pytest
import torch
import torch.nn.functional as F

from hyperseg.model.network.tessellate import TileGrid, nearest_indices, stitch, tessellate, upsample_nearest


def test_2k_frame_is_45_tiles():
    grid = TileGrid(1080, 1920)
    assert (grid.rows, grid.cols, grid.count) == (5, 9, 45)
    assert grid.resized == (1120, 2016)


@pytest.mark.parametrize("size", [(224, 224), (225, 224), (479, 853), (10, 500)])
def test_grid_covers_frame_with_whole_tiles(size):
    grid = TileGrid(*size)
    assert grid.resized[0] >= size[0] and grid.resized[1] >= size[1]
    assert grid.resized[0] - size[0] < 224 and grid.resized[1] - size[1] < 224


def test_stitch_inverts_tessellate_exactly():
    grid = TileGrid(448, 672)  # already a multiple of the tile: no resampling
    image = torch.rand(3, 448, 672)
    tiles = tessellate(image, grid)
    assert tiles.shape == (6, 3, 224, 224)
    assert torch.equal(tiles[1], image[:, :224, 224:448])  # row-major: tile 1 is row 0, column 1
    assert torch.equal(tiles[3], image[:, 224:, :224])
    assert torch.equal(stitch(tiles, grid), image)


def test_stitch_places_downsampled_tile_maps():
    grid = TileGrid(300, 500)
    maps = torch.arange(grid.count, dtype=torch.float32).view(-1, 1, 1, 1).expand(-1, 2, 14, 14)
    stitched = stitch(maps, grid)
    assert stitched.shape == (2, 14 * grid.rows, 14 * grid.cols)
    assert stitched[0, 15, 30].item() == grid.cols + 2  # row 1, column 2


def test_nearest_matches_torch_interpolate():
    maps = torch.rand(3, 7, 11)
    expected = F.interpolate(maps[None], size=(23, 37), mode="nearest")[0]
    assert torch.equal(upsample_nearest(maps, (23, 37)), expected)
    window = (5, 3, 17, 30)
    assert torch.equal(upsample_nearest(maps, (23, 37), window), expected[:, 5:17, 3:30])
    assert nearest_indices(7, 23).max().item() == 6
