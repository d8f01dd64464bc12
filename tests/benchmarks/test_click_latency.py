"""One row of benchmarks.click_latency, measured for real on a small frame: what the README's table reads."""

from __future__ import annotations

import pytest
import torch

from benchmarks.click_latency import measure


def test_a_row_times_every_click_against_its_floor(davis):
    row = measure(427, 240, 0.5, 3, davis)
    assert (row["frame"], row["run_grid"], row["device"], row["clicks"]) == ("427x240", "214x120", "cpu", 3)
    assert 0 < row["later_click_s_median"] <= row["later_click_s_max"]
    assert row["floor_s"] > 0 and row["decode_over_floor"] > 0
    # Both seconds are rounded in the row (to 1 ms and 0.1 ms), so their ratio matches to a few percent.
    assert row["click_over_floor"] == pytest.approx(row["later_click_s_median"] / row["floor_s"], rel=0.1)
    assert 0 < row["iou_after_clicks"] <= 1
    assert "peak_gpu_gb" not in row


@pytest.mark.gpu
def test_a_row_on_cuda_reports_gpu_memory(davis):
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    row = measure(427, 240, 0.5, 3, davis, "cuda")
    assert row["device"].startswith("cuda") and row["peak_gpu_gb"] > 0
