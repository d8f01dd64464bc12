"""What every benchmark here shares: its command line, timing a floor, the printed table, the JSON.

``benchmarks`` is a package run from the repository root (``.venv/bin/python -m benchmarks.NAME``)
rather than part of the installed ``hyperseg`` namespace: benchmarks measure the product from
outside, need the repository's data and ``benchmarks/results/``, and ship to no user.

Each benchmark builds its parser with :func:`parser` (``--json`` defaults to
``benchmarks/results/NAME.json``), times its floor with :func:`median_seconds` and states rows
against it with :func:`add_ratios`, prints its rows with :func:`print_table` and writes them with
:func:`write_results`, which adds the machine and the command that regenerates the file. A
benchmark whose every measurement needs its own peak RSS runs each one in a fresh process with
:func:`in_fresh_processes`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from statistics import median

RESULTS = Path(__file__).resolve().parent / "results"
CHILD = "--child"


def parser(module: str, doc: str, results: str | None = None) -> argparse.ArgumentParser:
    """The parser of ``benchmarks.<module>``: ``doc`` as its help, ``--json`` for where results go
    (``benchmarks/results/<results or module>.json``), and the hidden ``--child`` that
    :func:`in_fresh_processes` passes."""
    result = argparse.ArgumentParser(prog=f"python -m benchmarks.{module}", description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    result.add_argument("--json", type=Path, default=RESULTS / f"{results or module}.json",
                        help="where the results go")
    result.add_argument(CHILD, help=argparse.SUPPRESS)
    return result


def tuning_parser(module: str, doc: str, frames: int, frames_help: str,
                  results: str | None = None) -> argparse.ArgumentParser:
    """:func:`parser` with ``--data``, ``--sequences`` and ``--frames`` for a benchmark that chooses a
    setting: its sequences default to the tuning split and any other is refused (never tune on a
    report sequence)."""
    from hyperseg.model.data import DEFAULT_DAVIS_ROOT, SPLIT

    def tuning_sequence(name: str) -> str:
        if name not in SPLIT["tuning"]:
            raise argparse.ArgumentTypeError(f"{name!r} is not a tuning sequence ({', '.join(SPLIT['tuning'])})")
        return name

    result = parser(module, doc, results)
    result.add_argument("--data", type=Path, default=DEFAULT_DAVIS_ROOT)
    result.add_argument("--sequences", nargs="+", type=tuning_sequence, default=list(SPLIT["tuning"]))
    result.add_argument("--frames", type=int, default=frames, help=frames_help)
    return result


def median_seconds(function: Callable[[], object], repeats: int = 3) -> float:
    """Median wall-clock seconds of ``repeats`` calls of ``function``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(median(times))


def fastest_seconds(functions: Sequence[Callable[[], object]], repeats: int = 7) -> list[float]:
    """The fastest of ``repeats`` wall-clock timings of each of ``functions``, after one warm-up call
    each, the functions taking turns so that load from other jobs falls on all of them alike
    (timeit's minimum: the least disturbed run, for ratios of one to another)."""
    for function in functions:
        function()
    best = [math.inf] * len(functions)
    for _ in range(repeats):
        for index, function in enumerate(functions):
            start = time.perf_counter()
            function()
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def add_ratios(rows: Sequence[dict], key: str, floor: float, name: str = "ratio_to_floor") -> None:
    """Give every row ``name``: its ``key`` over the ``floor`` timed in the same run, which carries
    across machines better than seconds do."""
    for row in rows:
        row[name] = row[key] / floor


def machine() -> dict:
    """Where a figure was measured: architecture, processor, cores, load when it ran."""
    return {"machine": platform.machine(), "processor": platform.processor(), "cpus": os.cpu_count(),
            "load_avg_1min": round(os.getloadavg()[0], 2)}


def command(module: str) -> str:
    """The command line that regenerates this run's results."""
    return " ".join([".venv/bin/python -m", f"benchmarks.{module}", *sys.argv[1:]])


def print_table(rows: Sequence[dict], columns: Sequence[str] | None = None) -> None:
    """``rows`` as a Markdown table of ``columns`` (default: the first row's keys); floats to 4 places."""
    keys = list(columns or rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + " --- |" * len(keys))
    for row in rows:
        print("| " + " | ".join(_cell(row.get(key)) for key in keys) + " |")


def write_results(path: Path, module: str, payload: dict) -> None:
    """``payload`` with the machine and the regenerating command, written to ``path`` atomically."""
    from hyperseg.imageio.atomic_write import write_text_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    document = {**machine(), "command": command(module), **payload}
    write_text_atomic(path, json.dumps(document, indent=2) + "\n")
    print(f"wrote {path}")


def in_fresh_processes(module: str, children: Sequence[str], arguments: Sequence[str] = ()) -> list[dict]:
    """Run ``python -m benchmarks.<module> --child C ARGUMENTS`` for each C, one process at a time, so
    each measures its own peak RSS; each child prints its row as JSON on its last line."""
    rows = []
    for child in children:
        out = subprocess.run([sys.executable, "-m", f"benchmarks.{module}", CHILD, child, *arguments],
                             check=True, capture_output=True, text=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"measured {child}", file=sys.stderr, flush=True)
    return rows


def _cell(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
