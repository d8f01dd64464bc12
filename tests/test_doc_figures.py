"""Every figure table in README and docs/ equals the committed JSON its text names.

A table row is found by its first cell; each figure is compared at the precision the doc prints.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from hyperseg.model.evaluation.evaluate import EvalConfig

ROOT = Path(__file__).resolve().parents[1]
#: The bundled checkpoint's first report (18 frames), from before its first answer was re-cut by GrabCut
#: (checkpoint a3bcd129132f): the base the tuning history set later settings against.
BEFORE_RECUT = "benchmarks/results/before_recut"
EVAL = ROOT / BEFORE_RECUT / "default.eval.json"


#: The docs whose tables hold measured figures: README and every page under docs/.
DOCS = ["README.md", *sorted(str(path.relative_to(ROOT)) for path in (ROOT / "docs").glob("*.md"))]


def table_row(first_cell: str, doc: str | None = None) -> list[str]:
    """The cells after the first of the one table row whose first cell is ``first_cell``, in ``doc`` or,
    by default, in whichever of DOCS holds it."""
    found = []
    for name in [doc] if doc else DOCS:
        for line in (ROOT / name).read_text().splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if line.strip().startswith("|") and cells[0] == first_cell:
                found.append((name, cells[1:]))
    assert len(found) == 1, f"{len(found)} table rows {first_cell!r} in {[name for name, _ in found] or doc or DOCS}"
    return found[0][1]


def figure(cell: str) -> float:
    return float(re.sub(r"[*`]", "", cell))


def assert_printed(cell: str, value: float) -> None:
    """``cell`` is ``value`` rounded to the decimals the cell shows."""
    text = re.sub(r"[*`]", "", cell)
    decimals = len(text.split(".")[1]) if "." in text else 0
    assert figure(cell) == pytest.approx(round(value, decimals), abs=10**-decimals / 2 + 1e-12), (cell, value)


def assert_summary_row(row: str, summary: dict, columns: list[str], doc: str | None = None) -> None:
    """The table row ``row`` (of ``doc``, or whichever doc holds it) prints ``summary[column]`` for each column."""
    cells = table_row(row, doc)
    assert len(cells) == len(columns)
    for column, cell in zip(columns, cells, strict=True):
        assert_printed(cell, summary[column])


COLUMNS = ["NoC@85", "NoC@90", "mIoU@1", "mIoU@3", "mIoU@5", "mIoU@10", "mIoU@20", "BoundaryIoU@10", "mBIOU@10",
           "never@85", "harmful clicks", "s/click", "s/frame"]


@pytest.mark.parametrize(("row", "method"), [
    ("**HyperSeg `default` (bundled, 650 steps)**", "hyperseg"),
    ("GrabCut (OpenCV)", "grabcut"),
    ("random walker (scikit-image)", "random_walker"),
])
def test_first_report_table_is_default_eval_json(row, method):
    summary = {s["method"]: s for s in json.loads(EVAL.read_text())["summary"]}[method]
    assert_summary_row(row, summary, COLUMNS)


#: The README's headline: ``hyperseg eval`` at its defaults (the 30 report frames), the paper's configuration
#: by the same command with its checkpoint.
REPORT_30 = ROOT / "docs/report_30/default/eval.json"
PAPER_30 = ROOT / "docs/report_30/paper/eval.json"


@pytest.mark.parametrize(("row", "path", "method"), [
    ("**`default` (bundled, 650 steps)**", REPORT_30, "hyperseg"),
    ("`paper` (Table 1, 375 steps)", PAPER_30, "hyperseg"),
    ("GrabCut", REPORT_30, "grabcut"),
    ("random walker", REPORT_30, "random_walker"),
])
def test_readme_headline_table_is_hyperseg_eval_at_its_defaults(row, path, method):
    measured = json.loads(path.read_text())
    defaults = EvalConfig()
    assert (measured["config"]["sequences"], measured["config"]["frames_per_sequence"], measured["config"]["proxy"],
            measured["config"]["scale"]) == (list(defaults.sequences), defaults.frames_per_sequence, None, 1.0)
    summary = {s["method"]: s for s in measured["summary"]}[method]
    assert_summary_row(row, summary, COLUMNS, "README.md")


@pytest.mark.parametrize(("path", "doc"), [(EVAL, "docs/tuning.md"), (REPORT_30, "README.md")])
def test_docs_say_where_hyperseg_leads_after_each_click(path, doc):
    """The doc names the click counts (1-20) after which a baseline's mean IoU is above HyperSeg's."""
    per_frame = json.loads(path.read_text())["per_frame"]
    mean = {name: np.mean(np.array(scores["ious"]), axis=0) for name, scores in per_frame.items()}
    behind = [k + 1 for k in range(20) if mean["hyperseg"][k] < max(mean["grabcut"][k], mean["random_walker"][k])]
    text = " ".join((ROOT / doc).read_text().split())
    if behind:
        assert f"a baseline is ahead after {', '.join(map(str, behind))} clicks" in text
    else:
        assert "ahead of both baselines after every click count" in text


def test_readme_says_how_far_the_paper_configuration_trails():
    """The click counts after which the paper's configuration is behind each baseline, as README words them."""
    paper = np.mean(np.array(json.loads(PAPER_30.read_text())["per_frame"]["hyperseg"]["ious"]), axis=0)
    baselines = {name: np.mean(np.array(scores["ious"]), axis=0)
                 for name, scores in json.loads(REPORT_30.read_text())["per_frame"].items()}
    behind = {name: [k + 1 for k in range(20) if paper[k] < baselines[name][k]]
              for name in ("random_walker", "grabcut")}
    assert behind["random_walker"] == list(range(1, 21))
    assert behind["grabcut"] == list(range(1, len(behind["grabcut"]) + 1))
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert (f"behind the random walker after every click count and behind GrabCut until its "
            f"{len(behind['grabcut']) + 1}th click") in readme


def test_readme_paper_row_is_paper_eval_json():
    path = ROOT / "model/hyperseg/model/checkpoints/paper.eval.json"
    summary = {s["method"]: s for s in json.loads(path.read_text())["summary"]}["hyperseg"]
    columns = ["NoC@85", "NoC@90", "mIoU@1", "mIoU@5", "mIoU@10", "mIoU@20", "never@85", "harmful clicks", "s/click"]
    assert_summary_row("HyperSeg `paper` (Table 1, 375 steps)", summary, columns)


#: The columns of the README's tables of settings measured on the tuning frames.
TUNING_COLUMNS = ["NoC@85", "mIoU@1", "mIoU@5", "mIoU@10", "never@85", "harmful clicks"]
#: The columns of the README's tables of one eval run each (proxies, 2K plates).
EVAL_RUN_COLUMNS = ["NoC@85", "NoC@90", "mIoU@1", "mIoU@5", "mIoU@10", "never@85", "harmful clicks", "s/click"]


def assert_eval_run_row(row: str, measured: dict) -> None:
    """README's table row ``row`` holds EVAL_RUN_COLUMNS of the HyperSeg summary of eval JSON ``measured``."""
    summary = {s["method"]: s for s in measured["summary"]}["hyperseg"]
    assert_summary_row(row, summary, EVAL_RUN_COLUMNS)


@pytest.mark.parametrize(("row", "path"), [
    ("0.5", "benchmarks/results/report_proxy_0.5.json"),
    ("the model's own (0.75 here), the default", f"{BEFORE_RECUT}/default.eval.json"),
    ("1.0", "benchmarks/results/report_proxy_1.0.json"),
])
def test_readme_proxy_table_is_the_report_evaluations(row, path):
    assert_eval_run_row(row, json.loads((ROOT / path).read_text()))


@pytest.mark.parametrize(("row", "path", "proxy"), [
    ("2K, the model's own (0.31 here), the default", "docs/plates_2k/default/eval.json", None),
    ("2K, proxy 0.5", "docs/plates_2k/0.5/eval.json", 0.5),
    ("2K, proxy 1.0", "docs/plates_2k/1.0/eval.json", 1.0),
    ("2K before, own scale", "benchmarks/results/plates_2k_before_units_default.json", None),
    ("2K before, proxy 0.5", "benchmarks/results/plates_2k_before_units_0.5.json", 0.5),
    ("2K before, proxy 1.0", "benchmarks/results/plates_2k_before_units_1.0.json", 1.0),
])
def test_readme_2k_plate_table_is_the_report_frames_grown_to_2k(row, path, proxy):
    """Each row is one ``hyperseg eval --scale 2.4`` run on the default report's frames, at its proxy."""
    measured = json.loads((ROOT / path).read_text())
    report = json.loads(EVAL.read_text())["config"]
    assert (measured["config"]["scale"], measured["config"]["proxy"]) == (2.4, proxy)
    assert (measured["config"]["sequences"], measured["config"]["frames_per_sequence"]) == (
        report["sequences"], report["frames_per_sequence"])
    assert_eval_run_row(row, measured)


@pytest.mark.parametrize(("row", "path", "proxy", "scale"), [
    ("30 frames, the model's own (0.75 here), the default", "docs/report_30/default/eval.json", None, 1.0),
    ("30 frames, proxy 0.5", "docs/report_30/0.5/eval.json", 0.5, 1.0),
    ("30 frames, proxy 1.0", "docs/report_30/1.0/eval.json", 1.0, 1.0),
    ("30 frames as 2K plates, the model's own (0.31 here)", "docs/report_30/plates_2k/default/eval.json", None, 2.4),
    ("30 frames as 2K plates, proxy 0.5", "docs/report_30/plates_2k/0.5/eval.json", 0.5, 2.4),
    ("30 frames as 2K plates, proxy 1.0", "docs/report_30/plates_2k/1.0/eval.json", 1.0, 2.4),
])
def test_readme_30_frame_table_is_hyperseg_eval_at_its_default_count(row, path, proxy, scale):
    """Each row is one ``hyperseg eval`` run on the report split at its default 5 frames a sequence."""
    measured = json.loads((ROOT / path).read_text())["config"]
    assert (measured["sequences"], measured["frames_per_sequence"], measured["proxy"], measured["scale"]) == (
        list(EvalConfig().sequences), EvalConfig().frames_per_sequence, proxy, scale)
    assert_eval_run_row(row, json.loads((ROOT / path).read_text()))


INTERVAL_ROWS = {
    "over 30 frames, the model's own scale, the default": "docs/report_30/default/eval.json",
    "over 30 frames, proxy 0.5": "docs/report_30/0.5/eval.json",
    "over 30 frames, proxy 1.0": "docs/report_30/1.0/eval.json",
    "over 30 frames as 2K plates, the model's own scale, the default": "docs/report_30/plates_2k/default/eval.json",
    "over 30 frames as 2K plates, proxy 0.5": "docs/report_30/plates_2k/0.5/eval.json",
    "over 30 frames as 2K plates, proxy 1.0": "docs/report_30/plates_2k/1.0/eval.json",
}


@pytest.mark.parametrize("row", list(INTERVAL_ROWS))
def test_readme_interval_table_is_frame_intervals_json(row):
    rows = json.loads((ROOT / "benchmarks/results/frame_intervals.json").read_text())["rows"]
    intervals = {r["eval"]: r for r in rows}[INTERVAL_ROWS[row]]["intervals"]
    columns = ["NoC@85", "mIoU@5", "mIoU@10", "never@85", "harmful clicks"]
    cells = table_row(row)
    assert len(cells) == len(columns)
    for column, cell in zip(columns, cells, strict=True):
        low, high = cell.split("-")
        assert_printed(low, intervals[column][0])
        assert_printed(high, intervals[column][1])


@pytest.mark.parametrize(("row", "variant"), [
    ("2K tuning, the model's own (0.31), the default", "default"),
    ("2K tuning, proxy 0.5", "proxy 0.5"),
    ("2K tuning, proxy 1.0", "proxy 1.0"),
])
def test_readme_2k_tuning_table_is_plates_2k_tuning_json(row, variant):
    assert json.loads((ROOT / "benchmarks/results/plates_2k_tuning.json").read_text())["scale"] == 2.4
    assert_variant_row("plates_2k_tuning", row, variant, TUNING_COLUMNS)


@pytest.mark.parametrize(("row", "config", "proxy"), [
    ("`default` (bundled), its own scale (640x360)", "default", "own"),
    ("`default` (bundled), proxy 1.0", "default", "1.0"),
    ("`paper` (width 70, untrained), proxy 1.0", "paper", "1.0"),
])
def test_readme_memory_table_is_predictor_memory_json(row, config, proxy):
    result = json.loads((ROOT / "benchmarks/results/predictor_memory.json").read_text())
    measured = {(r["config"], r["proxy"]): r for r in result["rows"]}[config, proxy]
    cells = [c.split()[0] for c in table_row(row)]
    keys = ["set_frame_s", "first_click_s", "later_click_s_median", "peak_rss_gb", "naive_input_tensor_gb"]
    for cell, key in zip(cells, keys, strict=True):
        assert_printed(cell, measured[key])
    if proxy == "own":
        assert row.endswith(f"({measured['run_grid']})")


@pytest.mark.parametrize(("row", "key", "sent", "received"), [
    ("in-process, uncached (encode + predict)", "in_process_uncached", None, None),
    ("in-process, cached (predict only)", "in_process_cached", None, None),
    ("daemon, first click (upload + encode)", "daemon_first_click", "first_click_sent", "first_click_received"),
    ("daemon, next click (cached, no pixels)", "daemon_next_click", "next_click_sent", "next_click_received"),
])
def test_daemon_latency_table_is_daemon_latency_json(row, key, sent, received):
    result = json.loads((ROOT / "benchmarks/results/daemon_latency.json").read_text())
    seconds, ratio, sent_cell, received_cell = table_row(row, "docs/daemon.md")
    assert_printed(seconds, result["seconds_per_click"][key])
    assert_printed(ratio, result["ratio_to_floor"].get(key, 1.0))
    for cell, name in ((sent_cell, sent), (received_cell, received)):
        assert cell == "-" if name is None else int(cell) == result["bytes"][name]


@pytest.mark.parametrize(("row", "mode"), [
    ("in-process", "in-process"),
    ("daemon, pixels uploaded", "daemon (pixels)"),
    ("daemon, paths on shared storage", "daemon (paths)"),
    ("Dask LocalCluster, 2 workers", "dask LocalCluster, 2 workers"),
])
def test_batch_throughput_table_is_batch_throughput_json(row, mode):
    result = json.loads((ROOT / "benchmarks/results/batch_throughput.json").read_text())
    assert result["checkpoint"] in (ROOT / "docs/batch.md").read_text(), "docs/batch.md names the checkpoint it ran"
    measured = {r["mode"]: r for r in result["rows"]}[mode]
    fps, ratio, megabytes = table_row(row, "docs/batch.md")
    assert_printed(fps, measured["frames_per_s"])
    assert_printed(ratio, measured["ratio_to_in_process"])
    assert_printed(megabytes, measured["wire_bytes_per_frame"] / 1e6)


def _latency_row_name(row: dict) -> str:
    setting = row["proxy_setting"]
    proxy = f"default ({row['proxy']:.2f})" if setting == "default" else f"{float(setting):.1f}"
    return f"{row['frame']} at {proxy}"


LATENCY = json.loads((ROOT / "benchmarks/results/click_latency.json").read_text())["rows"]


@pytest.mark.parametrize("measured", LATENCY, ids=_latency_row_name)
def test_click_latency_tables_are_click_latency_json(measured):
    name = _latency_row_name(measured)
    seconds = ["set_frame_s", "first_click_s", "later_click_s_median", "whole_frame_click_s"]
    cells = [c.split()[0].rstrip("x").replace(",", "") for c in table_row(name, "docs/performance.md")]
    assert cells[0] == measured["run_grid"]
    for cell, key in zip(cells[1:], [*seconds, "whole_frame_over_later", "network_pixels_median",
                                      "click_over_floor", "decode_over_floor", "click_over_walker", "peak_rss_gb",
                                      "load_avg_1min"], strict=True):
        assert_printed(cell, measured[key])
    readme = [c.split()[0] for c in table_row(name, "README.md")]
    for cell, key in zip(readme, [*seconds, "peak_rss_gb"], strict=True):
        assert_printed(cell, measured[key])


SLOW_HOST_LATENCY = json.loads((ROOT / "benchmarks/results/click_latency_slow_host.json").read_text())["rows"]


@pytest.mark.parametrize("measured", SLOW_HOST_LATENCY, ids=_latency_row_name)
def test_slower_host_latency_table_is_its_json(measured):
    cells = [c.split()[0] for c in table_row(f"{_latency_row_name(measured)}, slower host", "docs/performance.md")]
    for cell, key in zip(cells, ["later_click_s_median", "floor_s", "click_over_floor", "decode_over_floor",
                                 "peak_rss_gb", "load_avg_1min"], strict=True):
        assert_printed(cell, measured[key])


@pytest.mark.parametrize(("row", "variant"), [("focus crop (default)", "on"), ("whole frame every click", "off")])
def test_focus_crop_accuracy_table_is_focus_crop_eval_json(row, variant):
    summary = json.loads((ROOT / f"benchmarks/results/focus_crop_eval_{variant}.json").read_text())["summary"][0]
    assert summary["method"] == "hyperseg"
    columns = ["NoC@85", "NoC@90", "mIoU@3", "mIoU@5", "mIoU@10", "mIoU@20", "BoundaryIoU@10", "mBIOU@10",
               "s/click"]
    assert_summary_row(row, summary, columns, "docs/performance.md")


def test_focus_crop_tuning_table_is_focus_crop_tuning_json():
    result = json.loads((ROOT / "benchmarks/results/focus_crop_tuning.json").read_text())
    for row in result["rows"]:
        cells = table_row(row["setting"], "docs/performance.md")
        assert_printed(cells[0], row["mean_iou"])
        if "loss_against_whole_frame" in row:
            assert_printed(cells[1], row["loss_against_whole_frame"])


@pytest.mark.parametrize(("row", "variant"), [
    ("later clicks change any pixel (the network's answer)", "later clicks change any pixel"),
    ("within reach 3x their depth", "later clicks change within reach 3x, 2%"),
    ("**within reach 4x their depth: the default**", "later clicks change within reach 4x, 2%"),
])
def test_click_changes_table_is_click_changes_tuning_json(row, variant):
    assert_variant_row("click_changes_tuning", row, variant, ["NoC@85", "mIoU@5", "mIoU@10", "never@85",
                                                              "harmful clicks"])


def assert_variant_row(results: str, row: str, variant: str, columns: list[str], key: str = "variant") -> None:
    """README's table row ``row`` holds ``columns`` of the row of benchmarks/results/<results>.json whose
    ``key`` is ``variant``."""
    measured = json.loads((ROOT / f"benchmarks/results/{results}.json").read_text())
    summary = {r[key]: r for r in measured["rows"]}[variant]
    assert_summary_row(row, summary, columns)


@pytest.mark.parametrize(("row", "variant"), [
    ("**own scale (0.75), reach 4x: the default**", "default"),
    ("own scale (0.75), reach 3x", "later clicks change within reach 3x, 2%"),
    ("proxy 0.5, reach 4x", "proxy 0.5"),
    ("proxy 0.5, reach 3x", "proxy 0.5, reach 3x"),
    ("proxy 1.0, reach 4x", "proxy 1.0"),
    ("proxy 1.0, reach 3x", "proxy 1.0, reach 3x"),
])
def test_proxy_reach_table_is_proxy_reach_tuning_json(row, variant):
    assert_variant_row("proxy_reach_tuning", row, variant, TUNING_COLUMNS)


RECUT = "first click re-cut by GrabCut 0.25"
DEPTH_CAP = "later clicks change no deeper than 1.5x their depth"
DEPTH_CAP_2X = "later clicks change no deeper than 2x their depth"
DEPTH_CAP_COLOUR = f"{DEPTH_CAP_2X} unless its colour agrees"
LEAST_CHANGE = "later clicks give the hypothesis that changes least"
THICKNESS = "later clicks change no thicker than {}x their half-width at the click"
RECUT_WIDE = "first click re-cut within 1.0 where its colours overlap by less than 0.6"
#: The current default's runs on the 32 tuning frames, each scale's (file, row) and the suffix of the paired
#: results set against it.
DEFAULT_ON_32 = {"own scale": (["first_click_recut_tuning", RECUT], "own"),
                 "proxy 0.5": (["first_click_recut_working_size_tuning", f"proxy 0.5, {RECUT}"], "0.5"),
                 "proxy 1.0": (["click_reach_depth_tuning", f"proxy 1.0, {RECUT}"], "1.0")}


@pytest.mark.parametrize(("results", "row", "variant"), [
    ("reach_tuning_32_frames", "32 tuning frames, own scale (0.75), reach 4x: the default", "default"),
    ("reach_tuning_32_frames", "32 tuning frames, own scale (0.75), reach 3x",
     "later clicks change within reach 3x, 2%"),
    ("reach_tuning_32_frames", "32 tuning frames, proxy 0.5, reach 4x", "proxy 0.5"),
    ("reach_tuning_32_frames", "32 tuning frames, proxy 0.5, reach 3x", "proxy 0.5, reach 3x"),
    ("reach_tuning_32_frames", "32 tuning frames, proxy 1.0, reach 4x", "proxy 1.0"),
    ("reach_tuning_32_frames", "32 tuning frames, proxy 1.0, reach 3x", "proxy 1.0, reach 3x"),
    ("positive_reach_tuning_32_frames", "32 tuning frames, own scale (0.75), positive clicks 3x",
     "positive clicks reach 3x"),
    ("positive_reach_tuning_32_frames", "32 tuning frames, proxy 0.5, positive clicks 3x",
     "proxy 0.5, positive clicks reach 3x"),
    ("positive_reach_tuning_32_frames", "32 tuning frames, proxy 1.0, positive clicks 3x",
     "proxy 1.0, positive clicks reach 3x"),
    ("first_click_recut_tuning", RECUT, RECUT),
    ("first_click_recut_tuning", f"proxy 0.5, {RECUT}", f"proxy 0.5, {RECUT}"),
    ("first_click_recut_working_size_tuning", "proxy 0.5, re-cut at 640x360 pixels' worth", f"proxy 0.5, {RECUT}"),
    ("click_reach_depth_tuning", DEPTH_CAP, DEPTH_CAP),
    ("click_reach_depth_tuning", f"proxy 0.5, {DEPTH_CAP}", f"proxy 0.5, {DEPTH_CAP}"),
    ("click_reach_depth_tuning", f"proxy 1.0, {DEPTH_CAP}", f"proxy 1.0, {DEPTH_CAP}"),
    ("click_reach_depth_tuning", f"proxy 1.0, {RECUT} (the default at 1.0)", f"proxy 1.0, {RECUT}"),
    ("click_reach_depth_2x_tuning", DEPTH_CAP_2X, DEPTH_CAP_2X),
    ("click_reach_depth_2x_tuning", f"proxy 0.5, {DEPTH_CAP_2X}", f"proxy 0.5, {DEPTH_CAP_2X}"),
    ("click_reach_depth_2x_tuning", f"proxy 1.0, {DEPTH_CAP_2X}", f"proxy 1.0, {DEPTH_CAP_2X}"),
    ("click_reach_depth_colour_tuning", DEPTH_CAP_COLOUR, DEPTH_CAP_COLOUR),
    ("click_reach_depth_colour_tuning", f"proxy 0.5, {DEPTH_CAP_COLOUR}", f"proxy 0.5, {DEPTH_CAP_COLOUR}"),
    ("click_reach_depth_colour_tuning", f"proxy 1.0, {DEPTH_CAP_COLOUR}", f"proxy 1.0, {DEPTH_CAP_COLOUR}"),
    ("least_change_hypothesis_tuning", LEAST_CHANGE, LEAST_CHANGE),
    ("least_change_hypothesis_tuning", f"proxy 0.5, {LEAST_CHANGE}", f"proxy 0.5, {LEAST_CHANGE}"),
    ("least_change_hypothesis_tuning", f"proxy 1.0, {LEAST_CHANGE}", f"proxy 1.0, {LEAST_CHANGE}"),
    *[(f"click_reach_thickness_{k}x_tuning", f"{scale}{THICKNESS.format(k)}", f"{scale}{THICKNESS.format(k)}")
      for k in (2, 3) for scale in ("", "proxy 0.5, ", "proxy 1.0, ")],
    ("first_click_recut_wide_tuning", RECUT_WIDE, RECUT_WIDE),
    ("first_click_recut_wide_tuning", f"proxy 0.5, {RECUT_WIDE}", f"proxy 0.5, {RECUT_WIDE}"),
    *[(f"previous_mask{suffix}_tuning", f"fed its answer, {part}, {scale}", variant)
      for suffix, part in (("", "new channel only"), ("_all", "whole network"), ("_scratch", "from the first step"))
      for scale, variant in (("own scale", "default"), ("proxy 0.5", "proxy 0.5"), ("proxy 1.0", "proxy 1.0"))],
])
def test_reach_tables_on_32_tuning_frames_are_their_json(results, row, variant):
    """Both files ran the same 32 frames (8 a tuning sequence), so their rows may be set side by side."""
    frames = [json.loads((ROOT / f"benchmarks/results/{name}.json").read_text())["frames"]
              for name in ("reach_tuning_32_frames", results)]
    assert len(frames[0]) == 32 and frames[0] == frames[1]
    assert_variant_row(results, row, variant, TUNING_COLUMNS)


def assert_paired_row(row: str, result: dict, columns: list[str]) -> None:
    """README's row ``row`` prints ``difference (low to high)`` of a paired_differences ``result`` per column."""
    cells = table_row(row)
    assert len(cells) == len(columns)
    for column, cell in zip(columns, cells, strict=True):
        assert_paired_cell(cell, result[column])


def assert_paired_cell(cell: str, measured: dict) -> None:
    """``cell`` prints ``difference (low to high)`` of one paired_differences score (``difference``, ``interval``)."""
    difference, low, high = re.fullmatch(r"(\S+) \((\S+) to (\S+)\)", cell).groups()
    for printed, value in zip((difference, low, high), (measured["difference"], *measured["interval"]), strict=True):
        assert_printed(printed, value)


@pytest.mark.parametrize(("row", "candidate"), [
    ("paired: first click mirrored too", "first click mirrored too"),
    ("paired: reach 4x or along the contour 2x", "later clicks change within reach 4x or along the contour 2x"),
    ("paired: 300 more steps, composites 0.25", "runs/continue_default_composites/model.pt"),
    ("paired: reach 8x along the image", "reach 8x along the image"),
    ("paired on the report: reach 4x or along the contour 2x",
     "later clicks change within reach 4x or along the contour 2x"),
    ("paired on the report: first click mirrored too", "first click mirrored too"),
    ("paired on the report: reach 8x along the image", "reach 8x along the image"),
])
def test_readme_paired_table_is_paired_differences_json(row, candidate):
    """Each cell is ``difference (low to high)`` of the candidate minus the default on the same frames."""
    results, base, frames = (("paired_differences_report", [f"{BEFORE_RECUT}/default.eval.json",
                                                              "hyperseg"], 18)
                             if row.startswith("paired on the report") else
                             ("paired_differences", ["benchmarks/results/proxy_reach_tuning.json", "default"], 16))
    measured = json.loads((ROOT / f"benchmarks/results/{results}.json").read_text())
    result = {r["candidate"][1]: r for r in measured["rows"]}[candidate]
    assert result["base"] == base and result["frames"] == frames
    assert_paired_row(row, result, ["NoC@85", "mIoU@5", "mIoU@10", "harmful clicks"])


WITHOUT_ARTICULATED = "benchmarks/results/without_articulated"
OBJECT_CROPS = "benchmarks/results/object_crops"


@pytest.mark.parametrize(("row", "folder", "run"), [
    ("bundled default (34 train sequences), own scale", WITHOUT_ARTICULATED, "bundled_own"),
    ("retrained on 30, own scale", WITHOUT_ARTICULATED, "retrained_own"),
    ("bundled default (34 train sequences), proxy 0.5", WITHOUT_ARTICULATED, "bundled_0.5"),
    ("retrained on 30, proxy 0.5", WITHOUT_ARTICULATED, "retrained_0.5"),
    ("whole-object crops from step 0, own scale", OBJECT_CROPS, "retrained_own"),
    ("whole-object crops from step 0, proxy 0.5", OBJECT_CROPS, "retrained_0.5"),
])
def test_retrained_rows_are_their_eval_runs_on_the_old_tuning_frames(row, folder, run):
    measured = json.loads((ROOT / folder / run / "eval.json").read_text())
    assert measured["config"]["sequences"] == ["blackswan", "car-roundabout", "cows", "scooter-black"]
    assert measured["config"]["frames_per_sequence"] == 8
    assert measured["config"]["proxy"] == (0.5 if run.endswith("0.5") else None)
    summary = {s["method"]: s for s in measured["summary"]}["hyperseg"]
    assert_summary_row(row, summary, TUNING_COLUMNS)


@pytest.mark.parametrize(("row", "folder", "scale"), [
    ("paired: retrained on 30, own scale", WITHOUT_ARTICULATED, "own"),
    ("paired: retrained on 30, proxy 0.5", WITHOUT_ARTICULATED, "0.5"),
    ("paired: whole-object crops from step 0, own scale", OBJECT_CROPS, "own"),
    ("paired: whole-object crops from step 0, proxy 0.5", OBJECT_CROPS, "0.5"),
])
def test_retrained_paired_rows_are_their_json_against_the_bundled_default(row, folder, scale):
    measured = json.loads((ROOT / folder / f"paired_{scale}.json").read_text())
    (result,) = measured["rows"]
    assert result["base"] == [f"{WITHOUT_ARTICULATED}/bundled_{scale}/eval.json", "hyperseg"]
    assert result["candidate"] == [f"{folder}/retrained_{scale}/eval.json", "hyperseg"]
    assert result["frames"] == 32
    assert_paired_row(row, result, ["NoC@85", "mIoU@1", "mIoU@5", "mIoU@10", "harmful clicks"])


COLOUR_SEPARABLE = ROOT / "benchmarks/results/colour_separable_report_30.json"


@pytest.mark.parametrize(("row", "side"), [("GrabCut on them", "base"), ("HyperSeg `default` on them", "candidate")])
def test_colour_separable_rows_are_the_30_frame_reports_frames_where_grabcut_starts_well(row, side):
    measured = json.loads(COLOUR_SEPARABLE.read_text())
    (result,) = measured["rows"]
    assert result["base"] == ["docs/report_30/default/eval.json", "grabcut"]
    assert result["candidate"] == ["docs/report_30/default/eval.json", "hyperseg"]
    first_clicks = [run[0] for run in json.loads(REPORT_30.read_text())["per_frame"]["grabcut"]["ious"]]
    assert result["frames"] == sum(iou > measured["base first click above"] for iou in first_clicks) == 9
    columns = ["NoC@85", "NoC@90", "mIoU@1", "mIoU@5", "mIoU@10", "never@85"]
    assert_summary_row(row, result["scores"][side], columns, "README.md")


def test_colour_separable_paired_row_is_its_json():
    (result,) = json.loads(COLOUR_SEPARABLE.read_text())["rows"]
    assert_paired_row("paired: colour-separable report frames", result,
                      ["NoC@85", "NoC@90", "mIoU@1", "mIoU@5", "mIoU@10"])


#: The columns of the README's tables of continued training (benchmarks.compare_checkpoints).
CONTINUATION_COLUMNS = [*TUNING_COLUMNS, "first-click area"]


@pytest.mark.parametrize(("results", "row", "checkpoint"), [
    ("compare_checkpoints", "**the bundled default (650 steps)**", "bundled"),
    ("compare_checkpoints", "300 more steps", "runs/continue_default/model.pt"),
    ("compare_checkpoints", "300 more, whole-object crops 0.3", "runs/continue_default_object_crops/model.pt"),
    ("compare_checkpoints", "300 more, composites 0.25", "runs/continue_default_composites/model.pt"),
    ("compare_checkpoints_composites_crops", "150 more, composites 0.25 and whole-object crops 0.3",
     "runs/cc/step150.pt"),
    ("compare_checkpoints_composites_crops", "300 more, composites and whole-object crops", "runs/cc/step300.pt"),
    ("compare_checkpoints_composites_crops", "450 more, composites and whole-object crops", "runs/cc/step450.pt"),
    ("compare_checkpoints_composites_crops_600", "600 more, composites and whole-object crops", "runs/cc/model.pt"),
    ("compare_checkpoints_composites_long_300", "300 more, composites 0.25 (the recipe run again)",
     "runs/comp/step300.pt"),
    ("compare_checkpoints_composites_long_450", "450 more, composites 0.25", "runs/comp/step450.pt"),
    ("compare_checkpoints_composites_long_600", "600 more, composites 0.25", "runs/comp/step600.pt"),
    ("compare_checkpoints_composites_long_600", "300, 450 and 600 more averaged", "runs/comp/average.pt"),
    ("compare_checkpoints_backbone_150", "150 more, the first two convolutions trained too",
     "runs/backbone/step150.pt"),
    ("compare_checkpoints_backbone_300", "300 more, the first two convolutions trained too",
     "runs/backbone/model.pt"),
])
def test_continuation_tables_are_compare_checkpoints_jsons(results, row, checkpoint):
    assert_variant_row(results, row, checkpoint, CONTINUATION_COLUMNS, key="checkpoint")


#: The columns of the README's table of proxy jitter, one row per checkpoint and run scale.


@pytest.mark.parametrize(("results", "row", "key", "name"), [
    ("proxy_reach_tuning", "bundled default at its own scale (0.75)", "variant", "default"),
    ("proxy_reach_tuning", "bundled default at 0.5", "variant", "proxy 0.5"),
    ("proxy_reach_tuning", "bundled default at 1.0", "variant", "proxy 1.0"),
    ("compare_checkpoints_composites_scales_150", "150 more, composites and proxy jitter, own scale", "checkpoint",
     "runs/cs/step150.pt"),
    ("composites_scales_150_proxy_tuning", "150 more, composites and proxy jitter, at 0.5", "variant", "proxy 0.5"),
    ("composites_scales_150_proxy_tuning", "150 more, composites and proxy jitter, at 1.0", "variant", "proxy 1.0"),
    ("compare_checkpoints_composites_scales_300", "300 more, composites and proxy jitter, own scale", "checkpoint",
     "runs/cs/model.pt"),
    ("composites_scales_300_proxy_tuning", "300 more, composites and proxy jitter, at 0.5", "variant", "proxy 0.5"),
    ("composites_scales_300_proxy_tuning", "300 more, composites and proxy jitter, at 1.0", "variant", "proxy 1.0"),
])
def test_proxy_jitter_table_is_its_jsons(results, row, key, name):
    assert_variant_row(results, row, name, TUNING_COLUMNS, key=key)


def test_proxy_jitter_checkpoints_are_one_run_of_its_recipe():
    for steps in (150, 300):
        compared, tuned = (json.loads((ROOT / f"benchmarks/results/{name}.json").read_text()) for name in (
            f"compare_checkpoints_composites_scales_{steps}", f"composites_scales_{steps}_proxy_tuning"))
        row = compared["rows"][0]
        assert (row["steps"], row["train_config"]["extra_scales"]) == (steps, [0.75, 1.0])
        assert tuned["checkpoint"] == row["id"], "the proxy rows ran the same checkpoint"


@pytest.mark.parametrize(("results", "row", "variant"), [
    ("click_changes_tuning", "reach 4x, nothing along the contour: the default",
     "later clicks change within reach 4x, 2%"),
    ("click_reach_along_tuning", "reach 4x, along the contour 2x",
     "later clicks change within reach 4x or along the contour 2x"),
    ("click_reach_along_tuning", "reach 4x, along the contour 3x",
     "later clicks change within reach 4x or along the contour 3x"),
])
def test_click_reach_along_tuning_table_is_its_json(results, row, variant):
    assert_variant_row(results, row, variant, TUNING_COLUMNS)


REPORT_CHECK_COLUMNS = ["NoC@85", "NoC@90", "mIoU@1", "mIoU@5", "mIoU@10", "never@85", "harmful clicks"]


@pytest.mark.parametrize(("row", "results", "key", "name"), [
    ("the default, 16 tuning frames (`compare_checkpoints.json`)", "compare_checkpoints", "checkpoint", "bundled"),
    ("mirrored, 16 tuning frames", "mirror_first_click_tuning", "variant", "first click mirrored too"),
])
def test_mirror_first_click_tuning_rows_are_their_jsons(row, results, key, name):
    assert_variant_row(results, row, name, REPORT_CHECK_COLUMNS, key=key)


@pytest.mark.parametrize(("results", "variant", "default_row", "checked_row"), [
    ("click_reach_along_report", "later clicks change within reach 4x or along the contour 2x",
     "the default (its report above)", "along the contour 2x, checked once"),
    ("mirror_first_click_report", "first click mirrored too",
     "the default, 18 report frames (its report above)", "mirrored, 18 report frames, checked once"),
])
def test_report_checks_are_their_json_beside_the_defaults_report(results, variant, default_row, checked_row):
    """A setting checked once on the report frames (benchmarks.check_on_report) sits beside the default's own
    report, measured on the same frames."""
    check = json.loads((ROOT / f"benchmarks/results/{results}.json").read_text())
    default = json.loads(EVAL.read_text())
    assert check["frames_per_sequence"] == default["config"]["frames_per_sequence"]
    assert check["sequences"] == default["config"]["sequences"]
    checked = {r["variant"]: r for r in check["rows"]}[variant]
    for row, summary in ((default_row, default["summary"][0]), (checked_row, checked)):
        assert_summary_row(row, summary, REPORT_CHECK_COLUMNS)


GEODESIC_REACH = "reach 8x along the image"


@pytest.mark.parametrize(("row", "results", "name"), [
    ("tuning, own scale (0.75), straight", "proxy_reach_tuning", "default"),
    ("tuning, own scale (0.75), along the image", "click_reach_geodesic_tuning", GEODESIC_REACH),
    ("tuning, proxy 0.5, straight", "proxy_reach_tuning", "proxy 0.5"),
    ("tuning, proxy 0.5, along the image", "click_reach_geodesic_tuning", f"proxy 0.5, {GEODESIC_REACH}"),
    ("tuning, proxy 1.0, straight", "proxy_reach_tuning", "proxy 1.0"),
    ("tuning, proxy 1.0, along the image", "click_reach_geodesic_tuning", f"proxy 1.0, {GEODESIC_REACH}"),
    ("report, own scale (0.75), along the image", "click_reach_geodesic_report", GEODESIC_REACH),
    ("report, proxy 0.5, along the image", "click_reach_geodesic_report", f"proxy 0.5, {GEODESIC_REACH}"),
    ("report, proxy 1.0, along the image", "click_reach_geodesic_report", f"proxy 1.0, {GEODESIC_REACH}"),
])
def test_geodesic_reach_rows_are_their_jsons(row, results, name):
    assert_variant_row(results, row, name, REPORT_CHECK_COLUMNS)


@pytest.mark.parametrize(("row", "report"), [
    ("report, own scale (0.75), straight", f"{BEFORE_RECUT}/default.eval.json"),
    ("report, proxy 0.5, straight", "benchmarks/results/report_proxy_0.5.json"),
    ("report, proxy 1.0, straight", "benchmarks/results/report_proxy_1.0.json"),
])
def test_geodesic_reach_report_rows_sit_beside_the_defaults_reports_on_the_same_frames(row, report):
    measured = json.loads((ROOT / report).read_text())
    check = json.loads((ROOT / "benchmarks/results/click_reach_geodesic_report.json").read_text())
    assert (check["sequences"], check["frames_per_sequence"]) == (
        measured["config"]["sequences"], measured["config"]["frames_per_sequence"])
    assert_summary_row(row, measured["summary"][0], REPORT_CHECK_COLUMNS)


@pytest.mark.parametrize(("row", "setting"), [
    ("**near the lost click: the default**", "default (reseed 'positive switch-off' near the lost click, fb 3 px)"),
    ("at the mask's deepest point, one a frame", "reseed at the deepest point"),
    ("never", "reseed never"),
    ("strict tracker (window 21, 3 levels, fb 1 px, half the support)",
     "strict tracker (window 21, 3 levels, fb 1 px, half the support)"),
])
def test_re_seeding_table_is_the_propagation_tuning_json(row, setting):
    cells = table_row(row, "docs/batch.md")
    expected = []
    for name in ("propagation_tuning", "propagation_tuning_whole_shots"):
        measured = {r["setting"]: r for r in json.loads((ROOT / f"benchmarks/results/{name}.json").read_text())["rows"]}
        expected += [measured[setting]["J"], measured[setting]["decay"]]
    assert len(cells) == len(expected)
    for cell, value in zip(cells, expected, strict=True):
        assert_printed(cell, value)


VIDEO = ROOT / "docs/propagation/video.json"
VIDEO_COLUMNS = ["J", "J first third", "J last third", "decay", "flicker"]


@pytest.mark.parametrize(("row", "method"), [
    ("**propagated**", "propagated"),
    ("propagated + 1 correction click per 10 frames", "propagated + corrections"),
    ("clicks held still", "held still"),
    ("random walker, propagated clicks", "random walker, propagated clicks"),
])
def test_readme_whole_shot_table_is_video_json(row, method):
    summary = {(s["sequence"], s["method"]): s for s in json.loads(VIDEO.read_text())["summary"]}[("all", method)]
    assert_summary_row(row, summary, VIDEO_COLUMNS)


def test_readme_per_sequence_propagation_table_is_video_json():
    """Propagated against held still on each report sequence: J, the gain, decay, frames without a positive."""
    summary = {(s["sequence"], s["method"]): s for s in json.loads(VIDEO.read_text())["summary"]}
    for sequence in json.loads(VIDEO.read_text())["config"]["sequences"]:
        propagated, still = summary[(sequence, "propagated")], summary[(sequence, "held still")]
        cells = table_row(sequence, "README.md")
        expected = [propagated["J"], still["J"], propagated["J"] - still["J"], propagated["decay"],
                    propagated["frames without a positive click"]]
        assert len(cells) == len(expected)
        for cell, value in zip(cells, expected, strict=True):
            assert_printed(cell, value)


WALKER_CUE = json.loads((ROOT / "benchmarks/results/walker_cue.json").read_text())["rows"]


@pytest.mark.parametrize("measured", WALKER_CUE, ids=lambda row: row["sequence"])
def test_walker_cue_table_is_walker_cue_json(measured):
    cells = [c.split()[0].rstrip("x") for c in table_row(measured["sequence"], "docs/performance.md")]
    for cell, key in zip(cells, ["first_fresh_s", "first_kept_s", "later_fresh_s_median", "later_kept_s_median",
                                 "later_speedup", "refits"], strict=False):
        assert_printed(cell, measured[key])
    assert float(cells[-1]) == pytest.approx(measured["max_abs_diff"], rel=0.05)


@pytest.mark.parametrize(("row", "results", "base", "candidate"), [
    ("paired: first click re-cut, own scale", "first_click_recut_paired_own", "default", "first_click_recut_tuning"),
    ("paired: first click re-cut, proxy 0.5", "first_click_recut_paired_0.5", "proxy 0.5", "first_click_recut_tuning"),
    ("paired: first click re-cut at 640x360, proxy 0.5", "first_click_recut_working_size_paired_0.5", "proxy 0.5",
     "first_click_recut_working_size_tuning"),
])
def test_first_click_recut_paired_rows_are_their_json_against_the_default(row, results, base, candidate):
    (result,) = json.loads((ROOT / f"benchmarks/results/{results}.json").read_text())["rows"]
    assert result["base"] == ["benchmarks/results/reach_tuning_32_frames.json", base]
    assert result["candidate"][0] == f"benchmarks/results/{candidate}.json"
    assert_paired_row(row, result, ["NoC@85", "mIoU@1", "mIoU@5", "mIoU@10", "harmful clicks"])


@pytest.mark.parametrize(("candidate", "name"), [("capped at 1.5x", "click_reach_depth"),
                                                 ("capped at 2x", "click_reach_depth_2x"),
                                                 ("capped at 2x unless its colour agrees", "click_reach_depth_colour"),
                                                 ("least change", "least_change_hypothesis"),
                                                 ("no thicker than 2x", "click_reach_thickness_2x"),
                                                 ("no thicker than 3x", "click_reach_thickness_3x")])
@pytest.mark.parametrize("scale", list(DEFAULT_ON_32))
def test_paired_rows_on_32_tuning_frames_are_their_json_against_the_default(candidate, name, scale):
    base, suffix = DEFAULT_ON_32[scale]
    row = f"paired: {candidate}, {scale}"
    (result,) = json.loads((ROOT / f"benchmarks/results/{name}_paired_{suffix}.json").read_text())["rows"]
    assert result["base"] == [f"benchmarks/results/{base[0]}.json", base[1]]
    assert result["candidate"][0] == f"benchmarks/results/{name}_tuning.json"
    assert_paired_row(row, result, ["NoC@85", "mIoU@5", "mIoU@10", "harmful clicks"])


@pytest.mark.parametrize(("candidate", "name", "scale"), [
    ("re-cut wider where separated", "first_click_recut_wide", "own scale"),
    ("re-cut wider where separated", "first_click_recut_wide", "proxy 0.5"),
    *[("fed its answer, new channel only", "previous_mask", scale) for scale in DEFAULT_ON_32],
    *[("fed its answer, whole network", "previous_mask_all", scale) for scale in DEFAULT_ON_32],
    *[("fed its answer, from the first step", "previous_mask_scratch", scale) for scale in DEFAULT_ON_32],
])
def test_paired_rows_with_the_first_click_are_their_json_against_the_default(candidate, name, scale):
    base, suffix = DEFAULT_ON_32[scale]
    (result,) = json.loads((ROOT / f"benchmarks/results/{name}_paired_{suffix}.json").read_text())["rows"]
    assert result["base"] == [f"benchmarks/results/{base[0]}.json", base[1]]
    assert result["candidate"][0] == f"benchmarks/results/{name}_tuning.json"
    assert_paired_row(f"paired: {candidate}, {scale}", result,
                      ["NoC@85", "mIoU@1", "mIoU@5", "mIoU@10", "harmful clicks"])


@pytest.mark.parametrize(("row", "variant"), [("own scale", RECUT), ("proxy 0.5", f"proxy 0.5, {RECUT}"),
                                            ("proxy 1.0", f"proxy 1.0, {RECUT}")])
def test_harmful_share_by_scale_rows_are_their_json(row, variant):
    """The default on 64 tuning frames at each scale, and each proxy against the own scale, paired on
    those frames and on the report's (the README's three runs)."""
    assert_variant_row("harmful_by_scale_64_tuning_frames", f"{row}, 64 tuning frames", variant, TUNING_COLUMNS)
    if row == "own scale":
        return
    tuning, report = (json.loads((ROOT / f"benchmarks/results/harmful_by_scale_{name}_paired.json").read_text())["rows"]
                      for name in ("64_tuning_frames", "report_30"))
    (on_tuning,) = [r for r in tuning if r["candidate"][1] == variant]
    assert on_tuning["base"][1] == RECUT and on_tuning["frames"] == 64
    (on_report,) = [r for r in report if r["candidate"][0] == f"docs/report_30/{row.split()[1]}/eval.json"]
    assert on_report["base"] == ["docs/report_30/default/eval.json", "hyperseg"] and on_report["frames"] == 30
    for cell, result in zip(table_row(row, "docs/tuning.md"), (on_tuning, on_report), strict=True):
        assert_paired_cell(cell, result["harmful clicks"])


BEFORE_RECUT_REPORT_30 = f"{BEFORE_RECUT}/report_30/default/eval.json"


def test_first_click_recut_report_check_sits_beside_the_30_frame_report_it_replaced():
    check = json.loads((ROOT / "benchmarks/results/first_click_recut_report.json").read_text())
    before = json.loads((ROOT / BEFORE_RECUT_REPORT_30).read_text())
    assert before["predictor"]["checkpoint"] == "a3bcd129132f"
    assert (check["frames_per_sequence"], check["sequences"]) == (5, before["config"]["sequences"])
    assert_summary_row("the default before the re-cut (`a3bcd129132f`)", before["summary"][0], REPORT_CHECK_COLUMNS)
    assert_summary_row("first click re-cut by GrabCut 0.25, checked once", check["rows"][0], REPORT_CHECK_COLUMNS)
    (result,) = json.loads((ROOT / "benchmarks/results/first_click_recut_report_paired.json").read_text())["rows"]
    assert result["base"] == [BEFORE_RECUT_REPORT_30, "hyperseg"] and result["frames"] == 30
    assert_paired_row("paired on the report: first click re-cut", result,
                      ["NoC@85", "NoC@90", "mIoU@1", "mIoU@5", "mIoU@10", "harmful clicks"])


def test_recut_wide_report_check_sits_beside_the_headline_run():
    check = json.loads((ROOT / "benchmarks/results/first_click_recut_wide_report.json").read_text())
    headline = json.loads(REPORT_30.read_text())
    assert (check["frames_per_sequence"], check["sequences"]) == (5, headline["config"]["sequences"])
    assert_summary_row("the default (`046e4ad3acb5`, the README's headline)", headline["summary"][0],
                       REPORT_CHECK_COLUMNS, "docs/tuning.md")
    assert_summary_row("re-cut wider where separated, checked once", check["rows"][0], REPORT_CHECK_COLUMNS)
    results = ROOT / "benchmarks/results"
    (paired,) = json.loads((results / "first_click_recut_wide_report_paired.json").read_text())["rows"]
    assert paired["base"] == ["docs/report_30/default/eval.json", "hyperseg"] and paired["frames"] == 30
    assert_paired_row("paired on the report: re-cut wider where separated", paired,
                      ["NoC@85", "NoC@90", "mIoU@1", "mIoU@5", "mIoU@10", "harmful clicks"])
    (separable,) = json.loads((results / "first_click_recut_wide_colour_separable.json").read_text())["rows"]
    assert separable["base"] == ["docs/report_30/default/eval.json", "grabcut"] and separable["frames"] == 9
    assert_paired_row("paired on the 9 colour-separable report frames: re-cut wider where separated", separable,
                      ["NoC@85", "NoC@90", "mIoU@1", "mIoU@5", "mIoU@10"])


def test_the_shipped_default_is_the_recut_checked_on_the_report():
    """The re-cut checked once on the report frames became the default: the headline run gives its IoUs."""
    check = json.loads((ROOT / "benchmarks/results/first_click_recut_report.json").read_text())
    headline = json.loads(REPORT_30.read_text())["per_frame"]["hyperseg"]["ious"]
    np.testing.assert_allclose(headline, check["rows"][0]["IoU per click per frame"], atol=1e-6)



def test_whole_shot_figures_before_the_recut_are_its_video_json():
    before = json.loads((ROOT / BEFORE_RECUT / "video.json").read_text())
    assert before["predictor"]["checkpoint"] == "a3bcd129132f"
    summary = {(s["sequence"], s["method"]): s for s in before["summary"]}
    readme = " ".join((ROOT / "README.md").read_text().split())
    propagated, still = summary[("all", "propagated")], summary[("all", "held still")]
    quoted = (f"the same run gave J {propagated['J']:.3f} against {still['J']:.3f} held still and decay "
              f"{propagated['decay']:.3f}")
    assert quoted in readme


@pytest.mark.parametrize(("row", "setting"), [
    ("the network's answer", "network"),
    *[(f"re-cut within {band} of its radius", f"band {float(band):g}") for band in ("0.1", "0.25", "0.5", "1.0")],
])
def test_first_click_recut_band_table_is_its_json(row, setting):
    measured = json.loads((ROOT / "benchmarks/results/first_click_recut_bands.json").read_text())
    assert len(measured["frames"]) == 32
    rows = {(r["proxy"], r["setting"]): r["mIoU@1"] for r in measured["rows"]}
    network = setting == "network"
    expected = [rows[(None, setting if network else f"{setting}, run grid")],
                rows[(0.5, setting if network else f"{setting}, run grid")],
                rows[(0.5, setting if network else f"{setting}, 640x360")]]
    cells = table_row(row, "docs/tuning.md")
    assert len(cells) == len(expected)
    for cell, value in zip(cells, expected, strict=True):
        assert_printed(cell, value)


def test_harmful_clicks_table_is_its_json():
    measured = json.loads((ROOT / "benchmarks/results/harmful_clicks_0.5.json").read_text())
    assert measured["eval"] == "docs/report_30/0.5/eval.json"
    run = json.loads((ROOT / measured["eval"]).read_text())
    assert measured["checkpoint"] == run["predictor"]["checkpoint"]
    ious = np.asarray(run["per_frame"]["hyperseg"]["ious"])
    assert measured["summary"]["recorded"] == round(run["summary"][0]["harmful clicks"] * (ious.size - len(ious)))
    assert_summary_row("replayed", measured["summary"], ["recorded", "met again", "positive",
                                                         "region put right by half or more",
                                                         "median wrong per clicked pixel"], "docs/tuning.md")


@pytest.mark.parametrize(("scale", "variant"), [("own scale", "default"), ("proxy 0.5", "proxy 0.5")])
def test_composites_from_step_0_rows_are_their_json_against_the_default(scale, variant):
    base, suffix = DEFAULT_ON_32[scale]
    assert_variant_row("composites/retrained_tuning", f"composites from step 0, {scale}", variant, TUNING_COLUMNS)
    (result,) = json.loads((ROOT / f"benchmarks/results/composites/paired_{suffix}.json").read_text())["rows"]
    assert result["base"] == [f"benchmarks/results/{base[0]}.json", base[1]]
    assert result["candidate"] == ["benchmarks/results/composites/retrained_tuning.json", variant]
    assert result["frames"] == 32
    assert_paired_row(f"paired: composites from step 0, {scale}", result,
                      ["NoC@85", "mIoU@1", "mIoU@5", "mIoU@10", "harmful clicks"])


def test_hypothesis_score_figures_are_their_json():
    rows = {row["refined"]: row for row in
            json.loads((ROOT / "benchmarks/results/hypothesis_scores.json").read_text())["rows"]}
    default, every = rows["hypothesis 0 refined (the default)"], rows["all six refined"]
    text = " ".join((ROOT / "README.md").read_text().split())
    assert default["clicks"] == every["clicks"] == 80 and "on 80 clicks of the tuning frames" in text
    assert (f"was hypothesis 0 in {default['most confident is hypothesis 0']} click with only it refined and in "
            f"{every['most confident is hypothesis 0']} with all six refined") in text
    assert (f"scored IoU {default['IoU of the most confident']:.3f} and {every['IoU of the most confident']:.3f} where "
            f"hypothesis 0 scored {default['IoU of hypothesis 0']:.3f}") in text
    assert default["IoU of hypothesis 0"] == every["IoU of hypothesis 0"]  # refining the others leaves it alone


def test_the_previous_mask_runs_loss_is_its_committed_log():
    log = [json.loads(line) for line in
           (ROOT / "benchmarks/results/previous_mask/train_log.jsonl").read_text().splitlines()]
    first, last = (np.mean([record["loss"] for record in part]) for part in (log[:50], log[-50:]))
    text = " ".join((ROOT / "docs/tuning.md").read_text().split())
    assert len(log) == 200
    assert f"its loss {last:.2f} over the last 50 steps against {first:.2f} over the first 50" in text
