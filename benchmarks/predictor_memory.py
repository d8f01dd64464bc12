"""Peak memory and time of set_frame + N predicts on a 1920x1080 frame, per model config.

Each config runs in a fresh subprocess so its peak resident set size (ru_maxrss) is its own.
Prints a table, writes benchmarks/results/predictor_memory.json, and reports how large the
paper's naive full-resolution 746-channel tensor would be (it is never allocated).

    .venv/bin/python benchmarks/predictor_memory.py [--configs paper default] [--clicks 10] [--size 1920x1080]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def measure(config_name: str, clicks: int, width: int, height: int) -> dict:
    import numpy as np
    import torch

    from hyperseg.model import ModelConfig, Predictor
    from hyperseg.model.config import CONFIGS

    config: ModelConfig = CONFIGS[config_name]()
    predictor = Predictor.untrained(seed=0, config=config, device="cpu")
    rng = np.random.default_rng(0)
    frame = rng.random((height, width, 3), dtype=np.float32)
    start = time.perf_counter()
    predictor.set_frame(frame)
    set_frame_s = time.perf_counter() - start
    seconds = []
    for i in range(clicks):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        result = predictor.predict([(x, y)], [(width - 1 - x, height - 1 - y)] if i % 2 else [])
        seconds.append(result.seconds)
    naive_bytes = (config.compressed_channels + config.context_channels) * width * height * 4
    return {
        "config": config_name,
        "frame": f"{width}x{height}",
        "threads": torch.get_num_threads(),
        "set_frame_s": round(set_frame_s, 2),
        "predict_s_mean": round(float(np.mean(seconds)), 2),
        "clicks": clicks,
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 3),
        "naive_input_tensor_gb": round(naive_bytes / 1024**3, 2),
        "cached_encoding_gb": round(predictor._encoding.nbytes / 1024**3, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", nargs="+", default=["default", "paper"])
    parser.add_argument("--clicks", type=int, default=10)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    if args.child:
        print(json.dumps(measure(args.child, args.clicks, width, height)))
        return 0
    rows = []
    for name in args.configs:
        out = subprocess.run([sys.executable, __file__, "--child", name, "--clicks", str(args.clicks),
                              "--size", args.size], check=True, capture_output=True, text=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"measured {name}", file=sys.stderr, flush=True)
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + " --- |" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")
    RESULTS.mkdir(exist_ok=True)
    payload = {"machine": platform.machine(), "processor": platform.processor(), "rows": rows}
    (RESULTS / "predictor_memory.json").write_text(json.dumps(payload, indent=2))
    print(f"wrote {RESULTS / 'predictor_memory.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
