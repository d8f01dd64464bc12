"""The ``hyperseg`` command line.

Each subcommand is a thin module of this package with two functions: ``add_arguments(parser)``
and ``run(args) -> int``; the work lives in the package that owns its concern. Modules are
imported only when their command runs, so ``hyperseg segment --server`` on a host without torch
never imports it.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from dataclasses import dataclass

from hyperseg.cli.extras import missing_extra
from hyperseg.protocol.errors import HypersegError


@dataclass(frozen=True)
class Command:
    name: str
    module: str
    help: str


COMMANDS: tuple[Command, ...] = (
    Command("demo", "hyperseg.cli.demo", "segment the bundled sample frame through a local daemon"),
    Command("serve", "hyperseg.cli.serve", "run the gRPC daemon"),
    Command("segment", "hyperseg.cli.segment", "segment one frame from click points"),
    Command("batch", "hyperseg.cli.batch", "rotoscope a frame range from clicks.json"),
    Command("fit-tucker", "hyperseg.cli.fit_tucker", "fit the Tucker factors on a corpus"),
    Command("train", "hyperseg.cli.train", "train the context aggregation network"),
    Command("average", "hyperseg.cli.average", "average the weights of snapshots of one training run"),
    Command("eval", "hyperseg.cli.eval", "evaluate a checkpoint against classical baselines"),
    Command("info", "hyperseg.cli.info", "show the checkpoint, backbone and device in use"),
)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command listed and ``only``'s arguments (no command's: ``hyperseg --help``)."""
    parser = argparse.ArgumentParser(prog="hyperseg", description="HyperSeg click-driven rotoscoping")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        child = sub.add_parser(command.name, help=command.help, description=command.help)
        if command.name == only:
            importlib.import_module(command.module).add_arguments(child)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    chosen = next((a for a in argv if not a.startswith("-")), None)
    known = {c.name: c for c in COMMANDS}
    try:
        parser = build_parser(chosen if chosen in known else None)
        args = parser.parse_args(argv)
        return int(importlib.import_module(known[args.command].module).run(args) or 0)
    except ModuleNotFoundError as error:
        message = missing_extra(chosen or "", error)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hyperseg: interrupted", file=sys.stderr)
        return 130
    except HypersegError as error:  # a command that does not word its own errors still gets one line
        print(f"hyperseg {chosen}: {error}", file=sys.stderr)
        return 2

