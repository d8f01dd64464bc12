"""The click path's two solvers in torch, so that on CUDA they run where the network runs.

``geodesic_distances`` is ``skimage.graph.MCP_Geometric(costs).find_costs``: the cheapest 8-connected
path from the start pixels, a step between neighbours a and b costing (c_a + c_b) / 2 times its
length (1 or sqrt 2). Instead of Dijkstra's queue it sweeps whole lines: along a line of pixels
with cumulative step cost S, one pass in each direction is d[j] = min(d[j], S[j] + min over k <= j
of (d[k] - S[k])), a cumulative minimum. Rows, columns and both diagonals are swept both ways until
nothing changes; the fixed point is the shortest-path distance (a path needs one round per turn
it takes, not one per pixel), to a relative SETTLED.

``walker_probability`` is scikit-image's ``random_walker`` (two labels, ``return_full_prob``):
the same edge weights exp(-beta / (10 std sqrt(C)) |grad|^2) + 1e-10 on the 4-connected grid and
the same Dirichlet problem, solved directly as scikit-image's "bf" mode does, but by block Cholesky
on the grid's rows (block tridiagonal: O(H W^3) in batched dense algebra, which CUDA does well)
instead of a sparse LU factorisation, which torch has no CUDA implementation of. Iterative solvers
are no substitute: with the walker's large beta, strong edges all but cut pixels off and conjugate
gradients stall.

Both are tested equal to the SciPy/scikit-image solvers on CPU (``tests/model/test_device_solvers.py``).
"""

from __future__ import annotations

import math

import torch

#: The sweeps stop when no distance fell by more than this relative amount in a round (rounding in the
#: cumulative sums moves values by a few ulps forever).
SETTLED = 1e-5
#: scikit-image's random_walker adds this to every edge weight.
WALKER_EPS = 1e-10

def _line_indices(height: int, width: int, direction: tuple[int, int], device: torch.device) -> torch.Tensor:
    """(lines, length) flat indices of the pixels along every line of ``direction`` (dy, dx), in order
    of travel, each line left-aligned and padded with the index ``height * width`` (an extra cell)."""
    rows = torch.arange(height, device=device)[:, None].expand(height, width)
    cols = torch.arange(width, device=device)[None, :].expand(height, width)
    dy, dx = direction
    if (dy, dx) == (0, 1):
        line, position = rows, cols
    elif (dy, dx) == (1, 0):
        line, position = cols, rows
    elif (dy, dx) == (1, 1):
        line, position = cols - rows + height - 1, torch.minimum(rows, cols)
    else:  # (1, -1): anti-diagonals, travelling down and to the left
        line, position = rows + cols, rows - torch.clamp(rows + cols - width + 1, min=0)
    lines = int(line.max()) + 1
    length = int(position.max()) + 1
    out = torch.full((lines, length), height * width, dtype=torch.long, device=device)
    out[line.reshape(-1), position.reshape(-1)] = torch.arange(height * width, device=device)
    return out


def geodesic_distances(costs: torch.Tensor, starts: list[tuple[int, int]]) -> torch.Tensor:
    """(H, W) cumulative cost of the cheapest 8-connected path from any of ``starts`` ((row, col)),
    as ``MCP_Geometric(costs).find_costs(starts)`` gives it; ``costs`` is (H, W) and positive."""
    height, width = costs.shape
    flat_costs = torch.cat([costs.reshape(-1), costs.new_zeros(1)])
    distance = torch.full((height * width + 1,), math.inf, dtype=costs.dtype, device=costs.device)
    for row, col in starts:
        distance[row * width + col] = 0.0
    sweeps = []
    for direction in ((0, 1), (1, 0), (1, 1), (1, -1)):
        index = _line_indices(height, width, direction, costs.device)
        real = index < height * width
        step = math.hypot(*direction) * 0.5 * (flat_costs[index][:, 1:] + flat_costs[index][:, :-1])
        step = torch.where(real[:, 1:], step, torch.zeros_like(step))  # a step into padding: never read back
        cumulative = torch.cat([step.new_zeros(step.shape[0], 1), step.cumsum(1)], 1)
        sweeps.append((index, real, cumulative))
    while True:
        before = distance.clone()
        for index, real, cumulative in sweeps:
            along = distance[index]
            forward = cumulative + torch.cummin(along - cumulative, 1).values
            backward = torch.flip(torch.cummin(torch.flip(along + cumulative, (1,)), 1).values, (1,)) - cumulative
            best = torch.minimum(along, torch.minimum(forward, backward))
            distance[index[real]] = best[real]
        distance[-1] = math.inf
        if not bool(((before - distance) > SETTLED * (1.0 + distance.abs())).any()):
            break
    return distance[:-1].reshape(height, width)


def walker_edge_weights(rgb: torch.Tensor, beta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-image's random-walker edge weights of an (H, W, C) image, float64: to the right
    neighbour (H, W-1) and to the one below (H-1, W)."""
    data = rgb.to(torch.float64)
    scale = -beta / (10.0 * float(data.std(unbiased=False)) * math.sqrt(rgb.shape[2]))
    right = torch.exp(scale * (data[:, 1:] - data[:, :-1]).square().sum(-1)) + WALKER_EPS
    down = torch.exp(scale * (data[1:] - data[:-1]).square().sum(-1)) + WALKER_EPS
    return right, down


class RowBlockWalker:
    """The walker's Dirichlet problem for one seed map, factored by block Cholesky over the grid's rows.

    Pixels fixed by their seed become rows of the identity; their edges to unknown pixels move to the
    right-hand side. What is left is block tridiagonal: one (W, W) block per row (rows run along the
    longer side, so blocks are the shorter one), rows coupled by the diagonal matrices of their
    vertical edges. The factor (each row's inverse Schur complement) is kept: ``solve`` answers any
    right-hand side, ``probability`` the seed map's own (scikit-image's answer).
    """

    def __init__(self, rgb: torch.Tensor, seeds: torch.Tensor, beta: float) -> None:
        self.transposed = rgb.shape[1] > rgb.shape[0]
        if self.transposed:
            rgb, seeds = rgb.transpose(0, 1), seeds.transpose(0, 1)
        height, width = rgb.shape[:2]
        right, down = walker_edge_weights(rgb, beta)
        degree = torch.zeros((height, width), dtype=right.dtype, device=right.device)
        degree[:, 1:] += right
        degree[:, :-1] += right
        degree[1:] += down
        degree[:-1] += down
        unknown = seeds == 0
        label = (seeds == 1).to(right.dtype)
        both_right = unknown[:, 1:] & unknown[:, :-1]
        both_down = unknown[1:] & unknown[:-1]
        rhs = torch.zeros_like(degree)
        rhs[:, 1:] += right * label[:, :-1]
        rhs[:, :-1] += right * label[:, 1:]
        rhs[1:] += down * label[:-1]
        rhs[:-1] += down * label[1:]
        self._rhs = torch.where(unknown, rhs, label)
        blocks = torch.diag_embed(torch.where(unknown, degree, torch.ones_like(degree)))
        off = torch.where(both_right, -right, torch.zeros_like(right))
        blocks = blocks + torch.diag_embed(off, 1) + torch.diag_embed(off, -1)
        self._coupling = torch.where(both_down, -down, torch.zeros_like(down))  # (H-1, W)
        # Block Cholesky (Thomas): S_r = D_r - C S_{r-1}^-1 C.
        self._inverses = []
        for row in range(height):
            block = blocks[row]
            if row:
                coupling = self._coupling[row - 1]
                block = block - self._inverses[-1] * (coupling[:, None] * coupling[None, :])
            self._inverses.append(torch.cholesky_inverse(torch.linalg.cholesky(block)))

    def solve(self, rhs: torch.Tensor) -> torch.Tensor:
        """The system's solution for ``rhs`` (H, W, K) float64 (K right-hand sides, on the seed map's grid)."""
        if self.transposed:
            rhs = rhs.transpose(0, 1)
        # y_r = b_r - C S_{r-1}^-1 y_{r-1}, then x_r = S_r^-1 (y_r - C x_{r+1}) back up.
        carried = rhs.clone()
        for row in range(1, len(self._inverses)):
            carried[row] -= self._coupling[row - 1][:, None] * (self._inverses[row - 1] @ carried[row - 1])
        solution = torch.empty_like(carried)
        solution[-1] = self._inverses[-1] @ carried[-1]
        for row in range(len(self._inverses) - 2, -1, -1):
            solution[row] = self._inverses[row] @ (carried[row] - self._coupling[row][:, None] * solution[row + 1])
        return solution.transpose(0, 1) if self.transposed else solution

    def probability(self) -> torch.Tensor:
        """(H, W) float64 probability of label 1 for the factored seed map."""
        rhs = self._rhs.transpose(0, 1) if self.transposed else self._rhs
        return self.solve(rhs[..., None])[..., 0]


def walker_probability(rgb: torch.Tensor, seeds: torch.Tensor, beta: float) -> torch.Tensor:
    """(H, W) probability of label 1 as scikit-image's random walker gives it: ``rgb`` (H, W, C), ``seeds``
    (H, W) with 1, 2 or 0 (unknown), at least one of each seed. Solved in float64 (``RowBlockWalker``)."""
    return RowBlockWalker(rgb, seeds, beta).probability().to(rgb.dtype)
