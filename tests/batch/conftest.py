"""Fixtures of the batch tests; the shot they use is built in batch_shot.py."""

from batch_shot import checkpoint, predictor, shot

__all__ = ["checkpoint", "predictor", "shot"]
