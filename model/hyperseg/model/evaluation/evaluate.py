"""The evaluation harness: HyperSeg and classical baselines on the same clicks.

Protocol (RITM / ClickSEG): from an empty mask, each click goes to the deepest point of the larger
error region; a pixel is foreground when its probability exceeds 0.49; up to 20 clicks. Reported:
NoC@85 and NoC@90, mean IoU after 1/3/5/10/20 clicks, the paper's protocol (10 clicks) with two
boundary scores kept apart (Boundary IoU of Cheng et al. 2021, band = 2% of the diagonal; the
paper's mBIOU, 1-pixel dilated contours), seconds per click and per new frame; beside the scores the
issue's targets are judged on, their 95% interval over frames (``hyperseg.model.evaluation.intervals``).
All scores are measured at the frames' full resolution, whatever proxy scale the network runs at.

Frames come from DAVIS sequences, or from a still-photograph benchmark (``EvalConfig.images``:
GrabCut's 50 photographs, Berkeley's 100), whose unknown band is neither clicked nor counted in
the IoU, as in RITM; the boundary scores give that band the prediction's label.
"""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from hyperseg.imageio.atomic_write import atomic_path, write_text_atomic
from hyperseg.model.data import (
    DEFAULT_DAVIS_ROOT,
    SPLIT,
    FrameSample,
    davis_samples,
    still_samples,
    usable_samples,
)
from hyperseg.model.evaluation.baselines import baseline_predict_fn
from hyperseg.model.evaluation.clicker import PROBABILITY_THRESHOLD, PredictFn, run_clicker
from hyperseg.model.evaluation.intervals import DRAWS, LEVEL, bootstrap_intervals
from hyperseg.model.evaluation.metrics import boundary_iou, contour_iou, noc
from hyperseg.model.predictor import Predictor
from hyperseg.protocol.errors import InputError
from hyperseg.protocol.proxy import proxy_label

REPORT_CLICKS = (1, 3, 5, 10, 20)
PAPER_CLICKS = 10
THRESHOLDS = (0.85, 0.90)
#: A click is harmful when it lowers the IoU by more than this.
HARMFUL_DROP = 0.05
#: The scores a report gives an interval over frames: those the issue's targets are set on.
INTERVAL_KEYS = ("NoC@85", "NoC@90", "mIoU@1", "mIoU@5", "mIoU@10", "never@85", "harmful clicks")


@dataclass(frozen=True)
class EvalConfig:
    data: str = str(DEFAULT_DAVIS_ROOT)
    sequences: tuple[str, ...] = SPLIT["report"]
    frames_per_sequence: int = 5
    max_clicks: int = 20
    #: Proxy scale HyperSeg runs at; None: the model's own (``Predictor.run_proxy``), what users get.
    proxy: float | None = None
    baselines: tuple[str, ...] = ("grabcut", "random_walker")
    #: A still-photograph benchmark's folder (``hyperseg.model.data.still_samples``): every photograph
    #: in it, instead of ``data``'s sequences.
    images: str | None = None
    #: Every frame and its mask resized by this factor before it is clicked and scored (2.4: DAVIS's
    #: 854x480 frames as 2050x1152 plates), to measure the product on plates of that size.
    scale: float = 1.0

    def __post_init__(self) -> None:
        if not self.scale > 0:
            raise InputError(f"scale must be > 0, got {self.scale}")

    @classmethod
    def recorded(cls, config: dict) -> EvalConfig:
        """The config an eval.json's ``config`` records. A setting it names that is retired since is left
        out: ``feed_previous_mask`` (always false in the committed runs) became the Predictor's own
        behaviour for a config with the ``previous_mask`` cue."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in config.items() if k in known})

    def describe_frames(self, count: int) -> str:
        """What the frames were, for a report's header."""
        resized = "" if self.scale == 1 else f", resized {self.scale:g}x"
        if self.images is not None:
            return f"{count} still photograph{'' if count == 1 else 's'} of {self.images}{resized}"
        return f"{count} frames of {', '.join(self.sequences)}{resized}"


def harmful(ious: Sequence[Sequence[float]]) -> np.ndarray:
    """(frames, clicks - 1) bool: which of runs' clicks after the first lowered the IoU by more than
    HARMFUL_DROP (``ious``: (frames, clicks), every run as long)."""
    ious = np.asarray(ious, dtype=np.float64)
    return ious[:, :-1] - ious[:, 1:] > HARMFUL_DROP


def click_scores(ious: Sequence[Sequence[float]]) -> dict:
    """The scores of runs' IoU after each click ((frames, clicks), every run as long): NoC@85 and
    NoC@90, mIoU after REPORT_CLICKS clicks (as many as the runs have), never@85, harmful clicks."""
    ious = np.asarray(ious, dtype=np.float64)
    out = {f"NoC@{round(t * 100)}": float(np.mean([noc(run, t, len(run)) for run in ious])) for t in THRESHOLDS}
    out |= {f"mIoU@{k}": float(ious[:, k - 1].mean()) for k in REPORT_CLICKS if k <= ious.shape[1]}
    out["never@85"] = int((ious.max(axis=1) < THRESHOLDS[0]).sum())
    drops = harmful(ious)
    out["harmful clicks"] = float(drops.mean()) if drops.size else 0.0
    return out


def paired_differences(base: Sequence[Sequence[float]], candidate: Sequence[Sequence[float]]) -> dict:
    """``candidate``'s click scores minus ``base``'s, runs of the same frames in the same order, each
    with its 95% interval over frames (both drawn with the same frames: a paired bootstrap)."""
    base, candidate = np.asarray(base, dtype=np.float64), np.asarray(candidate, dtype=np.float64)
    if base.shape != candidate.shape:
        raise InputError(f"paired runs must cover the same frames and clicks: {base.shape} against {candidate.shape}")

    def difference(indices: np.ndarray) -> dict:
        before, after = click_scores(base[indices]), click_scores(candidate[indices])
        return {key: after[key] - before[key] for key in after}

    keys = [key for key in INTERVAL_KEYS if key in click_scores(base)]
    intervals = bootstrap_intervals(len(base), difference, keys)
    whole = difference(np.arange(len(base)))
    return {key: {"difference": whole[key], "interval": list(intervals[key])} for key in keys}


@dataclass
class MethodScores:
    method: str
    ious: list[list[float]] = field(default_factory=list)  # per frame, IoU after each click
    #: Per threshold, the clicker's NoC per frame as it recorded it (the summary counts it from ``ious``).
    noc: dict[str, list[int]] = field(default_factory=dict)
    boundary_iou: list[float] = field(default_factory=list)  # after PAPER_CLICKS clicks
    contour_iou: list[float] = field(default_factory=list)
    #: Per frame, the first click's mask area over the object's (below 1: it under-segments).
    first_click_area: list[float] = field(default_factory=list)
    seconds_per_click: list[float] = field(default_factory=list)
    seconds_per_frame: list[float] = field(default_factory=list)

    def summary(self) -> dict:
        clicks = click_scores(self.ious)
        out = {"method": self.method, "frames": len(self.ious)}
        out |= {key: value for key, value in clicks.items() if key.startswith(("NoC", "mIoU"))}
        out[f"BoundaryIoU@{PAPER_CLICKS}"] = float(np.mean(self.boundary_iou))
        out[f"mBIOU@{PAPER_CLICKS}"] = float(np.mean(self.contour_iou))
        out["never@85"], out["harmful clicks"] = clicks["never@85"], clicks["harmful clicks"]
        out["s/click"] = float(np.mean(self.seconds_per_click))
        out["s/frame"] = float(np.mean(self.seconds_per_frame)) if self.seconds_per_frame else 0.0
        return out

    def intervals(self) -> dict[str, tuple[float, float]]:
        """The 95% interval over frames of each of ``INTERVAL_KEYS`` the runs have clicks for."""
        ious = np.asarray(self.ious, dtype=np.float64)
        keys = [key for key in INTERVAL_KEYS if key in click_scores(ious)]
        return bootstrap_intervals(len(ious), lambda indices: click_scores(ious[indices]), keys)


def evaluation_frames(config: EvalConfig) -> list[FrameSample]:
    if config.images is not None:
        return still_samples(Path(config.images))
    frames = []
    for sequence in config.sequences:
        every = davis_samples(Path(config.data), [sequence])
        picks = np.linspace(0, len(every) - 1, config.frames_per_sequence).round().astype(int)
        frames += [every[i] for i in sorted(set(picks))]
    return frames


def score_run(scores: MethodScores, gt: np.ndarray, predict_fn: PredictFn, max_clicks: int,
              unknown: np.ndarray | None = None) -> None:
    """Click through one frame, recording IoUs, NoC and the boundary scores after PAPER_CLICKS;
    pixels of ``unknown`` label are never clicked, count in no IoU and take the prediction's label in
    the boundary scores."""
    probabilities: list[np.ndarray] = []

    def recording(positive, negative, previous):
        probability = predict_fn(positive, negative, previous)
        probabilities.append(probability)
        return probability

    run = run_clicker(gt, recording, max_clicks, THRESHOLDS, unknown=unknown)
    scores.ious.append(run.ious)
    for threshold in THRESHOLDS:
        scores.noc.setdefault(str(threshold), []).append(run.noc[threshold])
    at_paper = probabilities[min(PAPER_CLICKS, len(probabilities)) - 1] > PROBABILITY_THRESHOLD
    labelled = gt if unknown is None else np.where(unknown, at_paper, gt)
    scores.boundary_iou.append(boundary_iou(at_paper, labelled))
    scores.contour_iou.append(contour_iou(at_paper, labelled))
    scores.first_click_area.append(np.count_nonzero(probabilities[0] > PROBABILITY_THRESHOLD) / np.count_nonzero(gt))
    scores.seconds_per_click += run.seconds


def hyperseg_predict_fn(predictor: Predictor, rgb: np.ndarray, previous: np.ndarray, proxy: float | None,
                        scores: MethodScores) -> PredictFn:
    start = time.perf_counter()
    encoding = predictor.encode_frame(rgb, previous, proxy)
    scores.seconds_per_frame.append(time.perf_counter() - start)

    last = None

    def predict(positive, negative, previous_probability):
        """Each click after the first runs the predictor's focus crop on the last prediction (if it has one),
        which a config with the ``previous_mask`` cue is fed as well: as the product runs it, the caller's
        ``previous_probability`` (the baselines' input) is not needed."""
        nonlocal last
        last = predictor.predict_encoded(encoding, positive, negative, previous=last)
        return last.masks[0]

    return predict


def evaluate(predictor: Predictor, config: EvalConfig,
             progress: Callable[[str], None] = lambda message: None) -> dict[str, MethodScores]:
    methods = {"hyperseg": MethodScores("hyperseg")} | {name: MethodScores(name) for name in config.baselines}
    loaded = usable_samples(evaluation_frames(config), config.scale)
    for index, (sample, frame) in enumerate(loaded, 1):
        progress(f"[{index}/{len(loaded)}] {sample.name}")
        scores = methods["hyperseg"]
        score_run(scores, frame.mask,
                  hyperseg_predict_fn(predictor, frame.rgb, frame.previous, config.proxy, scores),
                  config.max_clicks, frame.unknown)
        for name in config.baselines:
            score_run(methods[name], frame.mask, baseline_predict_fn(name, frame.rgb), config.max_clicks,
                      frame.unknown)
    return methods


def _table(keys: list[str], rows: list[tuple[str, list[str]]]) -> str:
    lines = ["| method | " + " | ".join(keys) + " |", "| --- " * (len(keys) + 1) + "|"]
    return "\n".join(lines + [f"| {method} | " + " | ".join(cells) + " |" for method, cells in rows])


def markdown_table(summaries: list[dict]) -> str:
    keys = [k for k in summaries[0] if k not in ("method", "frames")]
    return _table(keys, [(row["method"], [f"{row[k]:.3f}" if isinstance(row[k], float) else str(row[k]) for k in keys])
                         for row in summaries])


def interval_table(intervals: dict[str, dict[str, tuple[float, float]]]) -> str:
    """One row per method: each score's interval as ``low-high``."""
    keys = list(next(iter(intervals.values())))
    return _table(keys, [(method, [f"{low:.3f}-{high:.3f}" for low, high in row.values()])
                         for method, row in intervals.items()])


def plot_iou_vs_clicks(methods: dict[str, MethodScores], out: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, scores in methods.items():
        curve = np.array(scores.ious).mean(axis=0)
        ax.plot(np.arange(1, len(curve) + 1), curve, marker="o", markersize=3, label=name)
    ax.set_xlabel("clicks")
    ax.set_ylabel("mean IoU")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("\n".join(textwrap.wrap(title, 110)), fontsize=7)
    fig.tight_layout()
    with atomic_path(out) as temp:
        fig.savefig(temp, dpi=110, format="png")
    plt.close(fig)


def write_report(predictor: Predictor, config: EvalConfig, methods: dict[str, MethodScores], out_dir: Path) -> str:
    """Write eval.json, eval.md and iou_vs_clicks.png into ``out_dir``; returns the markdown."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summaries = [m.summary() for m in methods.values()]
    info = predictor.describe()
    header = (f"checkpoint {info['checkpoint']} ({info['config']} config), backbone {info['backbone']}"
              + (f" — {info['warning']}" if "warning" in info else "")
              + f"; {config.describe_frames(summaries[0]['frames'])}"
              + f"; HyperSeg at proxy {proxy_label(config.proxy)}"
              + (f", {info['previous_mask']}" if "previous_mask" in info else "")
              + (", clicks enforced (random-walker regions)" if info["clicks_enforced"] == "yes" else "")
              + (f", boundaries re-solved in a {info['boundary_band']} x diagonal band" if info["boundary_band"] != "0"
                 else "")
              + (f", first answer re-cut by {info['first_click_recut']}" if "first_click_recut" in info else "")
              + (", first click mirrored too" if "mirror_first_click" in info else "")
              + f", later clicks change {info['click_changes']}"
              + (f", a later click gives {info['later_click_hypothesis']}" if "later_click_hypothesis" in info else "")
              + f", focus crop {info['focus_crop']}")
    markdown = f"{header}\n\n{markdown_table(summaries)}\n"
    intervals = {name: scores.intervals() for name, scores in methods.items()} if summaries[0]["frames"] > 1 else {}
    if intervals:
        markdown += (f"\n{LEVEL:.0%} interval over frames ({DRAWS} draws of the frames with replacement: how far each "
                     f"score could move on other frames like these):\n\n{interval_table(intervals)}\n")
    write_text_atomic(out_dir / "eval.md", markdown)
    payload = {"predictor": info, "config": asdict(config), "summary": summaries, "intervals": intervals,
               "per_frame": {name: asdict(scores) for name, scores in methods.items()}}
    write_text_atomic(out_dir / "eval.json", json.dumps(payload, indent=2))
    plot_iou_vs_clicks(methods, out_dir / "iou_vs_clicks.png", header)
    return markdown
