"""What the daemon needs of a segmentation model: the shape of ``hyperseg.model.Predictor`` as a
Protocol, so the daemon's modules are typed without importing torch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from hyperseg.protocol.clicks import Point


class Encoding(Protocol):
    """A frame's image-only work, kept by the feature cache between clicks."""

    @property
    def nbytes(self) -> int: ...


class Prediction(Protocol):
    """One click path's answer: M soft masks over the frame and a score per mask."""

    masks: np.ndarray  # (M, H, W) float32 in [0, 1]
    scores: Sequence[float]


class SegmentationModel(Protocol):
    """A model the daemon serves (``hyperseg.model.Predictor`` is one)."""

    checkpoint_id: str

    @property
    def device(self) -> Any: ...

    @property
    def backbone(self) -> str: ...

    @property
    def hypotheses(self) -> int: ...

    def describe(self) -> Mapping[str, object]: ...

    def run_proxy(self, width: int, height: int, proxy: float | None = None) -> float: ...

    def encode_frame(self, rgb: np.ndarray, previous: np.ndarray | None = None,
                     proxy: float | None = None) -> Encoding: ...

    def predict_encoded(self, encoding: Encoding, positive: Sequence[Point] = (),
                        negative: Sequence[Point] = (), mask_input: np.ndarray | None = None,
                        previous: Prediction | None = None, refine: Sequence[int] | None = (0,)) -> Prediction: ...
