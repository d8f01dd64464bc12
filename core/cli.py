"""The ``hyperseg`` command line.

Each subcommand lives in the package that owns its concern and exposes two functions:
``add_arguments(parser)`` and ``run(args) -> int``. Modules are imported only when their
command runs, so ``hyperseg segment --server`` on a host without torch never imports it.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str
    module: str
    help: str


COMMANDS: tuple[Command, ...] = (
    Command("demo", "hyperseg.demo", "segment the bundled sample frame through a local daemon"),
    Command("serve", "hyperseg.daemon.serve_command", "run the gRPC daemon"),
    Command("segment", "hyperseg.segment_command", "segment one frame from click points"),
    Command("batch", "hyperseg.batch.batch_command", "rotoscope a frame range from clicks.json"),
    Command("fit-tucker", "hyperseg.model.fit_tucker_command", "fit the Tucker factors on a corpus"),
    Command("train", "hyperseg.model.train_command", "train the context aggregation network"),
    Command("eval", "hyperseg.model.eval_command", "evaluate a checkpoint against classical baselines"),
    Command("info", "hyperseg.model.info_command", "show the checkpoint, backbone and device in use"),
)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hyperseg", description="HyperSeg click-driven rotoscoping")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        child = sub.add_parser(command.name, help=command.help, description=command.help)
        if only is None or command.name == only:
            importlib.import_module(command.module).add_arguments(child)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    chosen = next((a for a in argv if not a.startswith("-")), None)
    known = {c.name: c for c in COMMANDS}
    parser = build_parser(chosen if chosen in known else None)
    args = parser.parse_args(argv)
    module = importlib.import_module(known[args.command].module)
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        print("hyperseg: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
