"""The walker cue click after click: solved afresh per click against the kept factor (``FrameWalker``).

On the first frame of each report sequence at the default run grid (640x360), up to 10 clicks from
the evaluation clicker: each click's cue is solved both ways, ``walker_probability_map`` (what the
focus crop did before: scikit-image's random walker, one sparse LU per click) and
``FrameWalker.probability`` (the first click's factor kept, later clicks a capacitance update),
on one thread, timed in CPU seconds (``time.process_time``, so other jobs on the machine inflate
it less than wall time). ``refits``: later clicks that freed border pixels and refactored;
``max_abs_diff``: the largest difference between the two maps over all clicks.

    .venv/bin/python -m benchmarks.walker_cue [--data /path/to/davis2016]

Prints a table and writes benchmarks/results/walker_cue.json.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from benchmarks import harness

RUN_SIZE = (360, 640)
CLICKS = 10


def measure(sequence: str, data: Path) -> dict:
    import numpy as np

    from hyperseg.model.config import ModelConfig
    from hyperseg.model.cues.context import frame_walker_cue, walker_probability_map
    from hyperseg.model.data import davis_samples, load_sample
    from hyperseg.model.evaluation.clicker import EvalClicker
    from hyperseg.model.frames import resize

    sample = load_sample(davis_samples(data, [sequence])[0])
    rgb = resize(sample.rgb, RUN_SIZE)
    truth = resize(sample.mask.astype(np.float32), RUN_SIZE) > 0.5
    max_pixels = ModelConfig.default().walker_max_pixels
    walker = frame_walker_cue(rgb, max_pixels)
    clicker = EvalClicker()
    positive, negative, fresh, kept, differences, refits = [], [], [], [], [], 0
    prediction = np.zeros(RUN_SIZE, bool)
    for _ in range(CLICKS):
        click = clicker.next_click(truth, prediction)
        if click is None:
            break
        x, y, is_positive = click
        (positive if is_positive else negative).append((x, y))
        system = walker.system
        start = time.process_time()
        expected = walker_probability_map(rgb, positive, negative, max_pixels)
        fresh.append(time.process_time() - start)
        start = time.process_time()
        got = walker.probability(positive, negative)
        kept.append(time.process_time() - start)
        refits += system is not None and walker.system is not system
        differences.append(float(np.abs(got - expected).max()))
        prediction = expected > 0.5
    return {
        "sequence": sequence,
        "clicks": len(kept),
        "first_fresh_s": round(fresh[0], 4),
        "first_kept_s": round(kept[0], 4),
        "later_fresh_s_median": round(float(np.median(fresh[1:])), 4),
        "later_kept_s_median": round(float(np.median(kept[1:])), 4),
        "later_speedup": round(float(np.median(fresh[1:]) / np.median(kept[1:])), 1),
        "refits": refits,
        "max_abs_diff": float(f"{max(differences):.2g}"),
    }


def main() -> int:
    import torch

    from hyperseg.model.data import DEFAULT_DAVIS_ROOT, SPLIT

    parser = harness.parser("walker_cue", __doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DAVIS_ROOT)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = [measure(sequence, args.data) for sequence in SPLIT["report"]]
    harness.print_table(rows)
    harness.write_results(args.json, "walker_cue", {"rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
