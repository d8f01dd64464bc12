"""``hyperseg train``: train the CAN from a config file, resumable, with a training curve."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from hyperseg.model.training.trainer import TrainConfig, Trainer
from hyperseg.protocol.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="training config JSON (fields of TrainConfig)")
    parser.add_argument("--run", type=Path, default=Path("runs/default"), help="run directory")
    parser.add_argument("--tucker", type=Path, default=Path("runs/tucker.pt"), help="factors from fit-tucker")
    parser.add_argument("--init", type=Path, help="fine-tune this checkpoint (e.g. the default) instead")
    parser.add_argument("--resume", action="store_true", help="continue the run in --run exactly")
    parser.add_argument("--steps", type=int, help="override the config's total steps")
    parser.add_argument("--max-minutes", type=float, help="stop after this many minutes (resume later)")
    parser.add_argument("--cache", type=Path, help="feature cache folder (default RUN/features)")
    parser.add_argument("--cache-gb", type=float,
                        help="keep the feature cache folder at most this many GB, least recently used frames "
                             "deleted first and recomputed when drawn again (default: no limit)")


def run(args: argparse.Namespace) -> int:
    config = TrainConfig.from_file(args.config) if args.config else TrainConfig()
    if args.steps is not None:
        config = replace(config, steps=args.steps)
    if args.max_minutes is not None:
        config = replace(config, max_minutes=args.max_minutes)
    if args.cache_gb is not None and args.cache_gb <= 0:
        raise InputError(f"--cache-gb must be positive, got {args.cache_gb:g}")
    cache_max_bytes = None if args.cache_gb is None else round(args.cache_gb * 1e9)
    trainer = Trainer(config, args.run, tucker=None if args.init else args.tucker, init=args.init,
                      cache_dir=args.cache, cache_max_bytes=cache_max_bytes)
    if args.resume:
        trainer.resume()
        print(f"resuming {args.run} at step {trainer.step}")
    trainer.run()
    print(f"step {trainer.step}: checkpoint {args.run / 'model.pt'}, curve {args.run / 'training_curve.png'}")
    return 0
