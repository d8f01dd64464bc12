"""``hyperseg fit-tucker``: fit the channel-mode Tucker factors once, on training frames.

The frames are the ones a training config trains on (``trainer.training_sequences``), so a run
that holds more sequences out than the split does fits its factors without them too.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from hyperseg.model.config import CONFIGS
from hyperseg.model.data import davis_samples
from hyperseg.model.network.hyperseg_net import HyperSegNet
from hyperseg.model.training.trainer import TrainConfig, training_sequences
from hyperseg.model.training.tucker_fit import fit_tucker


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path,
                        help="training config JSON whose data, sequences and held-out validation sequences pick "
                             "the frames (default: every sequence outside the tuning and report split)")
    parser.add_argument("--data", type=Path, help="DAVIS 2016 folder (default: the config's)")
    parser.add_argument("--model", choices=sorted(CONFIGS),
                        help="model config, its ranks and backbone (default: the config's)")
    parser.add_argument("--stride", type=int, default=16, help="use every N-th frame of each training sequence")
    parser.add_argument("--scale", type=float, default=0.5, help="frame scale the features are computed at")
    parser.add_argument("--pixels-per-frame", type=int, default=1000, help="feature vectors sampled per frame")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("runs/tucker.pt"), help="where to write the factors")


def run(args: argparse.Namespace) -> int:
    config = TrainConfig.from_file(args.config) if args.config else TrainConfig()
    if args.data:
        config = replace(config, data=str(args.data))
    if args.model:
        config = replace(config, model=args.model)
    sequences = training_sequences(config)
    samples = davis_samples(Path(config.data), sequences, args.stride)
    model = HyperSegNet(CONFIGS[config.model]())
    print(f"fitting Tucker ranks {model.config.tucker_ranks} on {len(samples)} frames of {len(sequences)} "
          f"sequences; backbone {model.backbone.describe()}")
    report = fit_tucker(model, samples, args.out, args.scale, args.pixels_per_frame, args.seed)
    print(json.dumps(report, indent=2))
    print(f"wrote {args.out}")
    return 0
