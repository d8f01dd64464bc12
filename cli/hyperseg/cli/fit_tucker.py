"""``hyperseg fit-tucker``: fit the channel-mode Tucker factors once, on training frames."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hyperseg.model.config import CONFIGS
from hyperseg.model.data import DEFAULT_DAVIS_ROOT, HELD_OUT_SEQUENCES, davis_samples, davis_sequences
from hyperseg.model.network.hyperseg_net import HyperSegNet
from hyperseg.model.training.tucker_fit import fit_tucker


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=DEFAULT_DAVIS_ROOT, help="DAVIS 2016 folder")
    parser.add_argument("--model", default="default", choices=sorted(CONFIGS), help="model config (ranks, backbone)")
    parser.add_argument("--stride", type=int, default=16, help="use every N-th frame of each training sequence")
    parser.add_argument("--scale", type=float, default=0.5, help="frame scale the features are computed at")
    parser.add_argument("--pixels-per-frame", type=int, default=1000, help="feature vectors sampled per frame")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("runs/tucker.pt"), help="where to write the factors")


def run(args: argparse.Namespace) -> int:
    sequences = [s for s in davis_sequences(args.data) if s not in HELD_OUT_SEQUENCES]
    samples = davis_samples(args.data, sequences, args.stride)
    model = HyperSegNet(CONFIGS[args.model]())
    print(f"fitting Tucker ranks {model.config.tucker_ranks} on {len(samples)} frames of {len(sequences)} "
          f"sequences; backbone {model.backbone.describe()}")
    report = fit_tucker(model, samples, args.out, args.scale, args.pixels_per_frame, args.seed)
    print(json.dumps(report, indent=2))
    print(f"wrote {args.out}")
    return 0
