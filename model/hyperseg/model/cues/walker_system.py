"""The random walker of one image, factored once and re-solved per click by a capacitance update.

scikit-image's ``random_walker`` (mode "bf") builds the graph Laplacian L of the image, keeps the
rows and columns of the unseeded pixels and factors that block afresh for every seed map: on the
walker cue's 50,000 pixels the sparse LU is most of a later click. Between two clicks on a frame
only the seeds change, and only by a few disks. Here the factor is of one block that does not
change: L on every pixel except those always seeded background (the frame border, A0 below). A
seed map then adds constraints x_s = v_s on the seeded pixels inside it, and the walker is their
Lagrange solution (the capacitance form of Sherman-Morrison-Woodbury):

    A0 x + E mu = 0,   E^T x = v   =>   x = A0^-1 E C^-1 v,   C = E^T A0^-1 E,

with E the columns of the constrained pixels. Only seeded pixels with an unseeded neighbour need a
constraint (a seeded pixel whose neighbours are all seeded touches no unknown's equation), and C
is kept: a click costs one solve with A0's factor per new constrained pixel, a small dense solve,
and one more solve for x. The unknown pixels' equations are exactly the direct solve's, so x is
scikit-image's answer up to rounding (``tests/model/cues/test_walker_system.py``).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import torch
from scipy import sparse
from scipy.sparse.linalg import splu

from hyperseg.model.cues.device_solvers import walker_edge_weights

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


class WalkerSystem:
    """scikit-image's random walker on one image for any seed map that seeds ``background`` as label 2.

    ``rgb`` is the (H, W, C) image as ``solve_walker`` hands it to scikit-image (already rescaled to
    its frame's standard deviation); ``background`` (H, W) bool are the pixels the factor takes as
    seeded background, the frame border in the walker cue. ``solve`` answers seed maps (1, 2 or 0
    for unknown) that agree there (``fits``).
    """

    def __init__(self, rgb: np.ndarray, background: np.ndarray, beta: float) -> None:
        self.background = background.copy()
        laplacian = _laplacian(rgb, beta)
        free = ~background.ravel()
        self._free = np.flatnonzero(free)
        self._position = np.full(background.size, -1)
        self._position[self._free] = np.arange(self._free.size)
        self._factor = splu(laplacian[free][:, free].tocsc(), permc_spec=ORDERING)
        self._pixels = np.zeros(0, dtype=np.int64)  # flat pixel indices of C's rows and columns
        self._row = np.full(background.size, -1)  # each pixel's row of C, -1 where it has none
        self._capacitance = np.zeros((0, 0))

    @property
    def nbytes(self) -> int:
        return int(self._factor.L.data.nbytes + self._factor.U.data.nbytes + self._factor.L.indices.nbytes
                   + self._factor.U.indices.nbytes + self._capacitance.nbytes)

    def fits(self, seeds: np.ndarray) -> bool:
        """Whether ``seeds`` seeds this system's background as label 2 (and so can be solved by it)."""
        return seeds.shape == self.background.shape and bool((seeds[self.background] == 2).all())

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
        return_full_prob=True)[0]`` gives it; ``seeds`` must fit (``fits``) and hold both labels."""
        if not self.fits(seeds):
            raise ValueError("seed map leaves part of this walker system's background unseeded")
        seeded = seeds != 0
        constrained = np.flatnonzero((seeded & ~self.background & _has_unseeded_neighbour(seeded)).ravel())
        missing = constrained[self._row[constrained] < 0]
        if missing.size:
            self._extend(missing)
        rows = self._row[constrained]
        values = (seeds.ravel()[constrained] == 1).astype(np.float64)
        out = np.zeros(seeds.size)
        if values.any():
            weights = scipy.linalg.solve(self._capacitance[np.ix_(rows, rows)], values, assume_a="pos")
            sources = np.zeros(self._free.size)
            sources[self._position[constrained]] = weights
            out[self._free] = self._factor.solve(sources)
        out = out.reshape(seeds.shape)
        out[seeded] = seeds[seeded] == 1
        return out
