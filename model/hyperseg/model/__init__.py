"""hyperseg.model: the HyperSeg network (torch). Start with ``Predictor``."""

from hyperseg.model.config import ModelConfig
from hyperseg.model.predictor import FrameEncoding, Prediction, Predictor

__all__ = ["FrameEncoding", "ModelConfig", "Prediction", "Predictor"]
