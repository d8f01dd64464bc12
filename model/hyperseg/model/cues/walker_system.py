"""The random walker of one image, factored once and re-solved per click by a capacitance update.

scikit-image's ``random_walker`` (mode "bf") builds the graph Laplacian L of the image, keeps the
rows and columns of the unseeded pixels and factors that block afresh for every seed map: on the
walker cue's 50,000 pixels the sparse LU is most of a later click. Between two clicks on a frame
only the seeds change, and only by a disk or two. Here one seed map (the first click's) is solved
directly and its factor kept: A0 = L on its unseeded pixels, x0 its solution. A later map that
keeps those seeds adds constraints x_s = v_s on the pixels it newly seeds, and its walker is their
Lagrange solution (the capacitance form of Sherman-Morrison-Woodbury):

    A0 x + E lambda = r,   E^T x = v   =>   x = x0 - A0^-1 E lambda,   C lambda = E^T x0 - v,

with E the columns of the constrained pixels and C = E^T A0^-1 E. Only newly seeded pixels with an
unseeded neighbour need a constraint (a seeded pixel whose neighbours are all seeded is in no
unknown's equation), and C is kept: a click costs one solve with A0's factor per new constrained
pixel (about 8 for the cue's radius-2 click disk), a small dense solve and one more solve. The
unknown pixels' equations are exactly the direct solve's, so x is scikit-image's answer up to
rounding (``tests/model/cues/test_walker_system.py``). A map that frees a pixel the first one
seeded (a positive click near the frame border frees border pixels) does not fit, and is factored
afresh as the new first map: what the direct solve costs. On a torch device the factor is the
device solver's block Cholesky (``device_solvers.RowBlockWalker``), kept the same way: a click
there is two passes over its rows with the new columns instead of a new factorisation.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import torch
from scipy import sparse
from scipy.sparse.linalg import splu

from hyperseg.model.cues.device_solvers import RowBlockWalker, walker_edge_weights

#: SuperLU's ordering for the factor: minimum degree on A + A^T suits a symmetric grid Laplacian
#: (on the 50,000-pixel cue it fills about half what the default COLAMD does, and solves twice as fast).
ORDERING = "MMD_AT_PLUS_A"


def _laplacian(rgb: np.ndarray, beta: float) -> sparse.csr_array:
    """scikit-image's random-walker graph Laplacian of an (H, W, C) image on the 4-connected grid, float64."""
    height, width = rgb.shape[:2]
    right, down = (weight.numpy() for weight in walker_edge_weights(torch.from_numpy(np.ascontiguousarray(rgb)),
                                                                     beta))
    index = np.arange(height * width).reshape(height, width)
    first = np.concatenate([index[:, :-1].ravel(), index[:-1].ravel()])
    second = np.concatenate([index[:, 1:].ravel(), index[1:].ravel()])
    weight = np.concatenate([right.ravel(), down.ravel()])
    adjacency = sparse.coo_array((np.concatenate([weight, weight]),
                                  (np.concatenate([first, second]), np.concatenate([second, first]))),
                                 shape=(height * width, height * width)).tocsr()
    return (sparse.diags_array(adjacency.sum(axis=1)) - adjacency).tocsr()


def _has_unseeded_neighbour(seeded: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels with an unseeded 4-neighbour."""
    out = np.zeros_like(seeded)
    out[1:] |= ~seeded[:-1]
    out[:-1] |= ~seeded[1:]
    out[:, 1:] |= ~seeded[:, :-1]
    out[:, :-1] |= ~seeded[:, 1:]
    return out


class _RowBlockFactor:
    """A ``RowBlockWalker`` (torch, on its device) behind SuperLU's ``solve``: (n_free, K) columns in and out."""

    def __init__(self, walker: RowBlockWalker, free: np.ndarray, shape: tuple[int, int],
                 device: torch.device) -> None:
        self._walker, self._shape, self._device = walker, shape, device
        self._free = torch.from_numpy(free).to(device)

    def solve(self, columns: np.ndarray) -> np.ndarray:
        grid = torch.zeros((self._shape[0] * self._shape[1], columns.shape[1]), dtype=torch.float64,
                           device=self._device)
        grid[self._free] = torch.from_numpy(columns).to(self._device)
        solved = self._walker.solve(grid.reshape(*self._shape, -1)).reshape(grid.shape)
        return solved[self._free].cpu().numpy()


class WalkerSystem:
    """scikit-image's random walker on one image, factored for ``seeds`` (1, 2 or 0 for unknown) and
    answering any seed map that keeps those seeds (``fits``). ``rgb`` is the (H, W, C) image as
    ``solve_walker`` hands it to scikit-image (``walker_input``). ``device`` (a torch device): the
    factor is ``device_solvers.RowBlockWalker``'s there instead of SuperLU's on the host."""

    def __init__(self, rgb: np.ndarray, seeds: np.ndarray, beta: float, device: torch.device | None = None) -> None:
        self.seeds = seeds.copy()
        unknown = seeds.ravel() == 0
        self._free = np.flatnonzero(unknown)
        self._position = np.full(seeds.size, -1)
        self._position[self._free] = np.arange(self._free.size)
        if device is None:
            rows = _laplacian(rgb, beta)[unknown]
            self._factor = splu(rows[:, unknown].tocsc(), permc_spec=ORDERING)
            labels = (seeds.ravel()[~unknown] == 1).astype(np.float64)
            self._base = self._factor.solve(-(rows[:, ~unknown] @ labels))
        else:
            walker = RowBlockWalker(torch.from_numpy(np.ascontiguousarray(rgb)).to(device),
                                    torch.from_numpy(np.ascontiguousarray(seeds)).to(device), beta)
            self._factor = _RowBlockFactor(walker, self._free, seeds.shape, device)
            self._base = walker.probability().reshape(-1).cpu().numpy()[self._free]
        self._pixels = np.zeros(0, dtype=np.int64)  # flat pixel indices of C's rows and columns
        self._row = np.full(seeds.size, -1)  # each pixel's row of C, -1 where it has none
        self._capacitance = np.zeros((0, 0))

    def fits(self, seeds: np.ndarray) -> bool:
        """Whether ``seeds`` keeps every seed of the factored map, with its label."""
        seeded = self.seeds != 0
        return seeds.shape == self.seeds.shape and bool((seeds[seeded] == self.seeds[seeded]).all())

    def _extend(self, pixels: np.ndarray) -> None:
        """Add C's rows and columns for ``pixels`` (flat indices not yet in it): one solve each."""
        columns = np.zeros((self._free.size, pixels.size))
        columns[self._position[pixels], np.arange(pixels.size)] = 1.0
        solved = self._factor.solve(columns)
        old = solved[self._position[self._pixels]]  # (k_old, k_new): C's new columns at the old pixels
        new = solved[self._position[pixels]]
        self._capacitance = np.block([[self._capacitance, old], [old.T, 0.5 * (new + new.T)]])
        self._row[pixels] = np.arange(self._pixels.size, self._pixels.size + pixels.size)
        self._pixels = np.concatenate([self._pixels, pixels])

    def solve(self, seeds: np.ndarray) -> np.ndarray:
        """(H, W) float64 probability of label 1 for ``seeds``, as ``random_walker(..., mode="bf",
        return_full_prob=True)[0]`` gives it; ``seeds`` must fit (``fits``)."""
        if not self.fits(seeds):
            raise ValueError("seed map frees or relabels pixels the factored seed map seeds")
        seeded = seeds != 0
        added = seeded & (self.seeds == 0)
        constrained = np.flatnonzero((added & _has_unseeded_neighbour(seeded)).ravel())
        missing = constrained[self._row[constrained] < 0]
        if missing.size:
            self._extend(missing)
        solution = self._base
        if constrained.size:
            rows = self._row[constrained]
            at = self._position[constrained]
            values = (seeds.ravel()[constrained] == 1).astype(np.float64)
            multipliers = scipy.linalg.solve(self._capacitance[np.ix_(rows, rows)], self._base[at] - values,
                                             assume_a="pos")
            sources = np.zeros(self._free.size)
            sources[at] = multipliers
            solution = self._base - self._factor.solve(sources[:, None])[:, 0]
        out = np.zeros(seeds.size)
        out[self._free] = solution
        out = out.reshape(seeds.shape)
        out[seeded] = seeds[seeded] == 1
        return out
