"""Peak memory and time of set_frame + N clicks on a 1920x1080 frame, per model and proxy.

``default`` is the bundled checkpoint as users get it (its cues, post-processes and focus crop);
``paper`` is Table 1's configuration, untrained (no checkpoint of it is bundled), with the same
focus crop. Each ``CONFIG@PROXY`` runs in a fresh process so its peak resident set size
(ru_maxrss) is its own; ``own`` is the model's own scale, what a caller naming no proxy gets.
The frame is a DAVIS frame of a tuning sequence (blackswan, 25) resized to the size; clicks
alternate positive inside its mask and negative outside it (seeded). The first click runs the
whole frame, later ones the focus crop. ``naive_input_tensor_gb`` is the paper's full-resolution
746-channel input at the grid the network runs on, which the folded hot path never allocates.

    .venv/bin/python -m benchmarks.predictor_memory [--runs default@own default@1.0 paper@1.0] [--clicks 10]
        [--size 1920x1080] [--data ../shared/data/davis2016]
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from benchmarks import harness

SEQUENCE, FRAME_INDEX = "blackswan", 25


def measure(run: str, clicks: int, width: int, height: int, data: Path) -> dict:
    import numpy as np
    import torch

    from hyperseg.model import Predictor
    from hyperseg.model.config import CONFIGS
    from hyperseg.model.data import davis_samples, load_sample
    from hyperseg.model.frames import resize

    config_name, proxy_name = run.split("@")
    proxy = None if proxy_name == "own" else float(proxy_name)
    if config_name == "default":
        predictor = Predictor.load(device="cpu")
    else:
        predictor = Predictor.untrained(seed=0, config=CONFIGS[config_name](), device="cpu")
    sample = load_sample(davis_samples(data, [SEQUENCE])[FRAME_INDEX])
    frame = resize(sample.rgb, (height, width))
    mask = resize(sample.mask.astype(np.float32), (height, width)) > 0.5
    candidates = {True: np.argwhere(mask), False: np.argwhere(~mask)}
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    predictor.set_frame(frame, proxy=proxy)
    set_frame_s = time.perf_counter() - start
    positive, negative, seconds = [], [], []
    for i in range(clicks):
        is_positive = i % 2 == 0
        row, col = candidates[is_positive][rng.integers(len(candidates[is_positive]))]
        (positive if is_positive else negative).append((float(col) + 0.5, float(row) + 0.5))
        seconds.append(predictor.predict(positive, negative).seconds)
    encoding = predictor._encoding
    run_h, run_w = encoding.run_size
    config = predictor.config
    naive_bytes = (config.compressed_channels + config.context_channels) * run_w * run_h * 4
    return {
        "config": config_name,
        "checkpoint": predictor.checkpoint_id,
        "frame": f"{width}x{height}",
        "proxy": proxy_name,
        "run_grid": f"{run_w}x{run_h}",
        "threads": torch.get_num_threads(),
        "set_frame_s": round(set_frame_s, 2),
        "first_click_s": round(seconds[0], 2),
        "later_click_s_median": round(float(np.median(seconds[1:])), 2),
        "clicks": clicks,
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 3),
        "naive_input_tensor_gb": round(naive_bytes / 1024**3, 2),
        "cached_encoding_gb": round(encoding.nbytes / 1024**3, 3),
    }


def main() -> int:
    from hyperseg.model.data import DEFAULT_DAVIS_ROOT

    parser = harness.parser("predictor_memory", __doc__)
    parser.add_argument("--runs", nargs="+", default=["default@own", "default@1.0", "paper@1.0"],
                        help="CONFIG@PROXY, PROXY a scale or 'own'")
    parser.add_argument("--clicks", type=int, default=10)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--data", type=Path, default=DEFAULT_DAVIS_ROOT)
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    if args.child:
        print(json.dumps(measure(args.child, args.clicks, width, height, args.data)))
        return 0
    rows = harness.in_fresh_processes(
        "predictor_memory", args.runs, ["--clicks", str(args.clicks), "--size", args.size, "--data", str(args.data)]
    )
    harness.print_table(rows)
    harness.write_results(args.json, "predictor_memory", {"rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
