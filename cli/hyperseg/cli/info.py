"""``hyperseg info``: which checkpoint, backbone and device are in use."""

from __future__ import annotations

import argparse
from pathlib import Path

from hyperseg.model.predictor import Predictor


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", type=Path, help="checkpoint to describe (default: the bundled one)")
    parser.add_argument("--device", default="auto")


def run(args: argparse.Namespace) -> int:
    predictor = Predictor.load(args.checkpoint, device=args.device)
    info = predictor.describe()
    for key, value in info.items():
        print(f"{key:20s} {value}")
    for key, value in predictor.training.items():
        if key != "train_config":
            print(f"training.{key:11s} {value}")
    return 0
