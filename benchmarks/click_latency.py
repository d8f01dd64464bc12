"""Click latency of the bundled checkpoint at 480p, 1080p and 2K: set_frame, first click, later clicks.

Each (size, proxy) runs in a fresh subprocess, so its peak resident set size is its own. The frame
is a DAVIS frame of a tuning sequence (blackswan), resized to the size; clicks come from the
evaluation clicker (the deepest point of the largest error against the true mask), so later
clicks land where a compositor's would. Focus crop on (the default).

The last clicks are run once more on the whole frame (what every click cost without the focus
crop; after the peak RSS is read): ``whole_frame_over_later`` is the focus crop's speed-up.
Figures are stated against floors timed in the same process:
- ``floor``: one channels_last ``conv2d`` (32 -> 32 channels, 3x3) with the multiply-adds of the
  network on the pixels a later click runs it on (the focus crop with its context margin, median
  over the later clicks); ``click/floor`` and ``decode/floor`` (the network
  alone on that crop, ``HyperSegNet.decode_click``) compare against it; the floor and the decode
  take turns, and each is its fastest of seven runs (``benchmarks.harness.fastest_seconds``);
- ``walker``: scikit-image's random walker on the same frame and clicks (the baseline of
  ``hyperseg eval``, at most 120k pixels); ``click/walker`` compares against it.

    .venv/bin/python -m benchmarks.click_latency [--sizes 854x480 1920x1080 2048x1152]
        [--proxies default 0.5 1.0] [--clicks 10] [--data /path/to/davis2016] [--device cuda]

``--device cuda`` times the predictor as it runs on a GPU (half precision, the device solvers; the
floor and the decode on the GPU too, synchronized) and adds its peak GPU memory; the walker
baseline stays scikit-image's on the host.

``default`` is the proxy a caller gets by leaving it unset: the model's own scale
(``ModelConfig.run_pixels``, 640x360 pixels' worth; the node's interactive setting).

Prints a table and writes benchmarks/results/click_latency.json.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

from benchmarks import harness
from benchmarks.harness import fastest_seconds, median_seconds

SEQUENCE, FRAME_INDEX = "blackswan", 25


def can_macs_per_pixel(config) -> int:
    """Multiply-adds per pixel of one click through the CAN (layer 1's context part, layers 2-10)."""
    ctx, width = config.context_channels, config.width
    return ctx * width + len(config.dilations) * (width + ctx) * width * 9 + (width + ctx) * config.hypotheses * 9


def measure(width: int, height: int, proxy: float | None, clicks: int, data: Path, device: str = "cpu") -> dict:
    import numpy as np
    import torch
    import torch.nn.functional as F

    from hyperseg.model import Predictor
    from hyperseg.model.cues.classical import random_walker_segment
    from hyperseg.model.data import davis_samples, load_sample
    from hyperseg.model.evaluation.clicker import PROBABILITY_THRESHOLD, EvalClicker
    from hyperseg.model.focus import context_window, crop_size
    from hyperseg.model.frames import resize

    sample = load_sample(davis_samples(data, [SEQUENCE])[FRAME_INDEX])
    rgb = resize(sample.rgb, (height, width))
    gt = resize(sample.mask.astype(np.float32), (height, width)) > 0.5
    predictor = Predictor.load(device=device)
    on_gpu = predictor.device.type == "cuda"
    synchronize = torch.cuda.synchronize if on_gpu else (lambda: None)
    start = time.perf_counter()
    predictor.set_frame(rgb, proxy=proxy)
    set_frame_s = time.perf_counter() - start
    clicker = EvalClicker()
    positive, negative, seconds, crop_pixels = [], [], [], []
    prediction = np.zeros((height, width), bool)
    for _ in range(clicks):
        click = clicker.next_click(gt, prediction)
        if click is None:
            break
        x, y, is_positive = click
        (positive if is_positive else negative).append((x, y))
        result = predictor.predict(positive, negative)
        seconds.append(result.seconds)
        if result.window is not None:
            crop = crop_size(context_window(result.window, predictor._encoding.run_size), predictor.focus_pixels)
            crop_pixels.append(crop[0] * crop[1])
        prediction = result.alpha > PROBABILITY_THRESHOLD
    peak_rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    whole_frame_s = predictor.predict_encoded(predictor._encoding, positive, negative).seconds
    iou = float((prediction & gt).sum() / (prediction | gt).sum())

    run_h, run_w = predictor._encoding.run_size
    pixels = int(np.median(crop_pixels)) if crop_pixels else run_h * run_w
    side = max(1, round(pixels**0.5))
    config = predictor.config
    macs = can_macs_per_pixel(config) * side * side
    on = {"device": predictor.device, "dtype": predictor.dtype}
    floor_input = torch.rand(1, 32, side, side, **on).contiguous(memory_format=torch.channels_last)
    floor_weight = torch.rand(32, 32, 3, 3, **on).contiguous(memory_format=torch.channels_last)
    floor_repeats = macs / (32 * 32 * 9 * side * side)
    # As encoded: channels last.
    image_part = torch.randn(1, config.width, side, side, **on).contiguous(memory_format=torch.channels_last)
    context = torch.rand(1, config.context_channels, side, side, **on)
    floor_s, decode_s = fastest_seconds([lambda: (F.conv2d(floor_input, floor_weight, padding=1), synchronize()),
                                         lambda: (predictor.model.decode_click(image_part, context), synchronize())])
    floor_s *= floor_repeats
    walker_s = median_seconds(lambda: random_walker_segment(rgb, positive, negative), repeats=1)
    later = seconds[1:]
    gpu = {"peak_gpu_gb": round(torch.cuda.max_memory_allocated() / 1024**3, 3)} if on_gpu else {}
    return {
        "frame": f"{width}x{height}",
        "device": str(predictor.device),
        "proxy_setting": "default" if proxy is None else proxy,
        "proxy": round(predictor._encoding.proxy, 4),
        "run_grid": f"{run_w}x{run_h}",
        "threads": torch.get_num_threads(),
        "load_avg_1min": round(os.getloadavg()[0], 2),
        "set_frame_s": round(set_frame_s, 2),
        "first_click_s": round(seconds[0], 3),
        "later_click_s_median": round(float(np.median(later)), 3) if later else None,
        "later_click_s_max": round(float(np.max(later)), 3) if later else None,
        "clicks": len(seconds),
        "whole_frame_click_s": round(whole_frame_s, 3),
        "whole_frame_over_later": round(whole_frame_s / float(np.median(later)), 1) if later else None,
        "network_pixels_median": pixels,
        "floor_s": round(floor_s, 4),
        "click_over_floor": round(float(np.median(later)) / floor_s, 2) if later else None,
        "decode_over_floor": round(decode_s / floor_s, 2),
        "walker_s": round(walker_s, 3),
        "click_over_walker": round(float(np.median(later)) / walker_s, 2) if later else None,
        "gflops_decode": round(2 * macs / decode_s / 1e9, 1),
        "iou_after_clicks": round(iou, 3),
        "peak_rss_gb": round(peak_rss_gb, 3),
        **gpu,
    }


def main() -> int:
    from hyperseg.model.data import DEFAULT_DAVIS_ROOT

    parser = harness.parser("click_latency", __doc__)
    parser.add_argument("--sizes", nargs="+", default=["854x480", "1920x1080", "2048x1152"])
    parser.add_argument("--proxies", nargs="+", default=["default", "0.5", "1.0"],
                        help="run scales: 'default' (the model's own) or numbers")
    parser.add_argument("--clicks", type=int, default=10)
    parser.add_argument("--data", type=Path, default=DEFAULT_DAVIS_ROOT)
    parser.add_argument("--device", default="cpu", help="cpu, or cuda to time the GPU path")
    args = parser.parse_args()
    if args.child:
        width, height, proxy = args.child.split(":")
        run_proxy = None if proxy == "default" else float(proxy)
        print(json.dumps(measure(int(width), int(height), run_proxy, args.clicks, args.data, args.device)))
        return 0
    children = [f"{size.replace('x', ':')}:{proxy}" for size in args.sizes for proxy in args.proxies]
    arguments = ["--clicks", str(args.clicks), "--data", str(args.data), "--device", args.device]
    rows = harness.in_fresh_processes("click_latency", children, arguments)
    harness.print_table(rows)
    harness.write_results(args.json, "click_latency", {"rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
