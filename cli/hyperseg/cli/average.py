"""``hyperseg average``: one checkpoint from several snapshots of one run, their weights averaged."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("checkpoints", type=Path, nargs="+", help="snapshots of one run, in run order")
    parser.add_argument("--out", type=Path, required=True, help="the averaged checkpoint")


def run(args: argparse.Namespace) -> int:
    from hyperseg.model.training.averaging import average_checkpoints

    ident = average_checkpoints(args.checkpoints, args.out)
    print(f"averaged {len(args.checkpoints)} checkpoints into {args.out} (checkpoint {ident})")
    return 0
