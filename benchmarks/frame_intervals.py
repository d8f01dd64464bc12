"""How far the scores of finished evaluations could move on other frames like theirs: prints a
table, writes JSON.

Reads ``eval.json`` files that ``hyperseg eval`` wrote (its per-frame IoUs) and gives each score the
issue's targets are set on its 95% interval over frames, as ``hyperseg eval`` now puts in its own
report (``hyperseg.model.evaluation.intervals``): a target met by less than its interval's half
width was met on these frames, not shown to hold on others.

    .venv/bin/python -m benchmarks.frame_intervals docs/report_30/default/eval.json \
        docs/report_30/0.5/eval.json docs/report_30/1.0/eval.json
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import harness
from hyperseg.model.evaluation.evaluate import MethodScores


def main() -> None:
    parser = harness.parser("frame_intervals", __doc__)
    parser.add_argument("evals", nargs="+", type=Path, help="eval.json files of hyperseg eval")
    parser.add_argument("--method", default="hyperseg", help="which method of each file")
    args = parser.parse_args()
    rows = []
    for path in args.evals:
        scores = MethodScores(**json.loads(path.read_text())["per_frame"][args.method])
        summary, intervals = scores.summary(), scores.intervals()
        rows.append({"eval": str(path), "method": args.method, "frames": summary["frames"],
                     "scores": {key: summary[key] for key in intervals},
                     "intervals": {key: list(interval) for key, interval in intervals.items()}})
    keys = list(rows[0]["intervals"])
    harness.print_table([{"eval": row["eval"], "frames": row["frames"],
                          **{key: f"{row['scores'][key]:.3f} ({low:.3f}-{high:.3f})"
                             for key, (low, high) in row["intervals"].items()}} for row in rows],
                        ["eval", "frames", *keys])
    harness.write_results(args.json, "frame_intervals", {"rows": rows})


if __name__ == "__main__":
    main()
