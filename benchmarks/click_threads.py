"""Threads for the click kernel, and what dilation costs it: the network of a later click by crop size.

For each focus-crop size (square crops from 128x128 to the default budget's 362x362), in one process:
  decode, N threads    ``HyperSegNet.decode_click`` of the bundled model on that crop with
                       ``torch.set_num_threads(N)``, N = 1, 2, 4, ... up to the machine's cores;
                       ``speedup`` is the 1-thread time over it (the floor: one thread, same run)
  dense / dilated      one channels_last 3x3 ``conv2d`` of the CAN's layer shape (width + context
                       channels in, width out) at dilation 1 and at dilation 8, all cores:
                       ``dilated_over_dense`` is what the dilated layers cost per multiply-add
                       against the dense convolution the latency benchmark's floor is made of
Each timing is the fastest of 7, the variants taking turns. Prints a table and writes JSON.

    .venv/bin/python -m benchmarks.click_threads
"""

from __future__ import annotations

import os

import torch
import torch.nn.functional as F

from benchmarks import harness
from hyperseg.model import Predictor

SIDES = (128, 188, 267, 362)


def thread_counts(cpus: int) -> list[int]:
    """1, 2, 4, ... below ``cpus``, and ``cpus`` itself."""
    counts = [1]
    while counts[-1] * 2 < cpus:
        counts.append(counts[-1] * 2)
    return [*counts, cpus] if cpus > 1 else counts


def measure(network, side: int, cpus: int) -> dict:
    """One row: the decode at every thread count and the dense and dilated layer, on a side x side crop."""
    config, channels_last = network.config, torch.channels_last
    image_part = torch.rand(1, config.width, side, side).contiguous(memory_format=channels_last)
    context = torch.rand(1, config.context_channels, side, side).contiguous(memory_format=channels_last)
    row: dict = {"crop": f"{side}x{side}", "pixels": side * side}
    for threads in thread_counts(cpus):
        torch.set_num_threads(threads)
        [row[f"decode_{threads}t_s"]] = harness.fastest_seconds([lambda: network.decode_click(image_part, context)])
    for threads in thread_counts(cpus)[1:]:
        row[f"speedup_{threads}t"] = row["decode_1t_s"] / row[f"decode_{threads}t_s"]
    torch.set_num_threads(cpus)
    channels = config.width + config.context_channels
    layer_input = torch.rand(1, channels, side, side).contiguous(memory_format=channels_last)
    weight = torch.rand(config.width, channels, 3, 3).contiguous(memory_format=channels_last)
    dense, dilated = harness.fastest_seconds([lambda: F.conv2d(layer_input, weight, padding=1),
                                              lambda: F.conv2d(layer_input, weight, padding=8, dilation=8)])
    return {**row, "dense_conv_s": dense, "dilated_conv_s": dilated, "dilated_over_dense": dilated / dense}


def main() -> None:
    args = harness.parser("click_threads", __doc__).parse_args()
    cpus = os.cpu_count() or 1
    predictor = Predictor.load(device="cpu")
    rows = [measure(predictor.model, side, cpus) for side in SIDES]
    harness.print_table(rows)
    harness.write_results(args.json, "click_threads",
                          {"checkpoint": predictor.checkpoint_id, "threads": thread_counts(cpus), "rows": rows})


if __name__ == "__main__":
    main()
