"""How sure a setting's gain over another is, on the frames both ran: prints a table, writes JSON.

Each run is a row of a committed result: ``FILE ROW``, where FILE is a ``benchmarks/results`` JSON of
``tune_post_processes``, ``compare_checkpoints`` or ``check_on_report`` (ROW: its ``variant`` or
``checkpoint``) or an ``eval.json`` of ``hyperseg eval`` (ROW: a method, ``hyperseg``). Every
candidate is set against the base frame by frame: each score's difference and its 95% interval from
one bootstrap that draws the same frames for both (``hyperseg.model.evaluation.evaluate.
paired_differences``). A gain whose interval holds 0 was not shown on these frames.

``--base-first-click-above IOU`` keeps only the frames whose base run's first click scored above
IOU: set against GrabCut's row of the same eval.json, the frames a colour model separates at once.

    .venv/bin/python -m benchmarks.paired_differences \
        --base benchmarks/results/proxy_reach_tuning.json default \
        --candidate benchmarks/results/mirror_first_click_tuning.json "first click mirrored too"
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import harness
from hyperseg.model.evaluation.evaluate import EvalConfig, click_scores, evaluation_frames, paired_differences


def load_run(path: Path, row: str) -> tuple[list[str], list[list[float]]]:
    """The frames and per-frame IoUs of row ``row`` of the result or eval file at ``path``."""
    document = json.loads(path.read_text())
    if "per_frame" in document:  # an eval.json names its frames by its config, as hyperseg eval picked them
        config = EvalConfig.recorded(document["config"])
        return [sample.name for sample in evaluation_frames(config)], document["per_frame"][row]["ious"]
    rows = {r.get("variant", r.get("checkpoint")): r for r in document["rows"]}
    if row not in rows:
        raise SystemExit(f"{path} has no row {row!r}; it has {sorted(rows)}")
    return document["frames"], rows[row]["IoU per click per frame"]


def main() -> None:
    parser = harness.parser("paired_differences", __doc__)
    parser.add_argument("--base", nargs=2, metavar=("FILE", "ROW"), required=True)
    parser.add_argument("--candidate", nargs=2, metavar=("FILE", "ROW"), action="append", required=True)
    parser.add_argument("--base-first-click-above", type=float, metavar="IOU",
                        help="only the frames whose base run scored above IOU after its first click")
    args = parser.parse_args()
    base_frames, base = load_run(Path(args.base[0]), args.base[1])
    kept = [i for i, run in enumerate(base)
            if args.base_first_click_above is None or run[0] > args.base_first_click_above]
    if not kept:
        raise SystemExit(f"no frame's base run scored above {args.base_first_click_above} after its first click")
    rows = []
    for path, name in args.candidate:
        frames, candidate = load_run(Path(path), name)
        if frames != base_frames:
            raise SystemExit(f"{path} {name!r} ran other frames than the base: {frames[:3]} against {base_frames[:3]}")
        base_kept, candidate_kept = [base[i] for i in kept], [candidate[i] for i in kept]
        rows.append({"base": args.base, "candidate": [path, name], "frames": len(kept),
                     "frame names": [base_frames[i] for i in kept],
                     "scores": {"base": click_scores(base_kept), "candidate": click_scores(candidate_kept)},
                     **paired_differences(base_kept, candidate_kept)})
    keys = [key for key in rows[0] if key not in ("base", "candidate", "frames", "frame names", "scores")]
    harness.print_table([{"candidate": row["candidate"][1], "frames": row["frames"],
                          **{key: "{:+.3f} ({:+.3f} to {:+.3f})".format(row[key]["difference"], *row[key]["interval"])
                             for key in keys}} for row in rows], ["candidate", "frames", *keys])
    harness.write_results(args.json, "paired_differences",
                          {"base first click above": args.base_first_click_above, "rows": rows})


if __name__ == "__main__":
    main()
