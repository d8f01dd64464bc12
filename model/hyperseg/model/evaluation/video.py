"""``hyperseg eval --video``: whole shots from first-frame clicks, propagated or held still.

Per sequence (its first ``frames`` frames, 854x480 DAVIS):

1. On the first frame the RITM clicker (``EvalClicker``) clicks against HyperSeg's predictions
   from an empty mask until IoU reaches ``first_frame_iou`` or ``first_frame_clicks`` clicks.
2. Those clicks become keys on the first frame, and four methods run through the shot:

   - ``propagated``: the clicks tracked forward frame by frame (``hyperseg.model.propagation``'s
     ``TrackingPass``, exactly what ``hyperseg batch --propagate`` does), each frame's prediction
     told to the pass so a lost positive click is re-seeded from it, HyperSeg on every frame with
     X_{t-1} and, for configs with the ``previous_mask`` cue, the previous frame's prediction fed back;
   - ``propagated + corrections``: the same, and every ``correction_every`` frames the clicker
     adds one click on that frame's largest error: a new key, propagated from there;
   - ``held still``: the first frame's clicks on every frame (what a node without tracking does);
   - ``random walker, propagated clicks``: scikit-image's random walker from the tracked clicks.

   A frame where every positive click has switched off (and none was re-seeded) gets an empty
   mask (batch fails it).
3. Scores at full resolution (``temporal_metrics``): J per frame, mean J, decay (first third
   minus last third), flicker, and the ground truth's own flicker as the floor. Seconds: tracking
   per frame (beyond segmentation), HyperSeg's image-only work per frame, optical flow per frame.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from hyperseg.imageio import read_image, read_rgb
from hyperseg.imageio.atomic_write import atomic_path, write_text_atomic
from hyperseg.model.cues.classical import random_walker_segment
from hyperseg.model.data import DEFAULT_DAVIS_ROOT, SPLIT
from hyperseg.model.evaluation.clicker import PROBABILITY_THRESHOLD, EvalClicker
from hyperseg.model.evaluation.metrics import iou
from hyperseg.model.evaluation.temporal_metrics import backward_flow, decay, flicker
from hyperseg.model.predictor import FrameEncoding, Predictor
from hyperseg.model.propagation.click_propagation import TrackingPass, stepping_grays
from hyperseg.protocol.clicks import Point
from hyperseg.protocol.clicktracks import ClickTrack, ClickTracks
from hyperseg.protocol.errors import InputError
from hyperseg.protocol.proxy import proxy_label

PROPAGATED, CORRECTED, HELD, WALKER = (
    "propagated", "propagated + corrections", "held still", "random walker, propagated clicks")
METHODS = (PROPAGATED, CORRECTED, HELD, WALKER)


@dataclass(frozen=True)
class VideoEvalConfig:
    data: str = str(DEFAULT_DAVIS_ROOT)
    sequences: tuple[str, ...] = SPLIT["report"]
    #: The first this many frames of each sequence; None: all of them.
    frames: int | None = None
    #: None: the model's own scale, as users get it.
    proxy: float | None = None
    first_frame_iou: float = 0.85
    first_frame_clicks: int = 5
    correction_every: int = 10

    def __post_init__(self) -> None:
        if self.frames is not None and self.frames < 2:
            raise InputError(f"--frames must be at least 2 for a video evaluation, got {self.frames}")
        if self.first_frame_clicks < 1 or self.correction_every < 1:
            raise InputError("first_frame_clicks and correction_every must be at least 1")


@dataclass
class SequenceResult:
    """One sequence's scores: J per frame and flicker per method, with what happened on the way."""

    sequence: str
    first_clicks: list[tuple[float, float, bool]]
    first_frame_iou: float
    j: dict[str, list[float]] = field(default_factory=dict)
    flicker: dict[str, float] = field(default_factory=dict)
    frames_without_positive: dict[str, int] = field(default_factory=dict)
    ground_truth_flicker: float = 0.0
    corrections: list[tuple[int, float, float, bool]] = field(default_factory=list)
    switched_off: list[str] = field(default_factory=list)
    #: The clicks each propagating method segmented with, as ``clicks.json`` (frames are indices from 0).
    tracked_clicks: dict[str, dict] = field(default_factory=dict)
    tracking_seconds_per_frame: float = 0.0
    encode_seconds_per_frame: float = 0.0
    flow_seconds_per_frame: float = 0.0

    def summary(self, method: str) -> dict:
        j = self.j[method]
        third = max(1, len(j) // 3)
        return {"method": method, "sequence": self.sequence, "frames": len(j), "J": float(np.mean(j)),
                "J first third": float(np.mean(j[:third])), "J last third": float(np.mean(j[-third:])),
                "decay": decay(j), "flicker": self.flicker[method],
                "frames without a positive click": self.frames_without_positive[method]}


def load_sequence(root: Path, sequence: str, frames: int | None) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The first ``frames`` RGB frames of a DAVIS sequence and their masks, full resolution."""
    images = sorted((root / "JPEGImages" / "480p" / sequence).glob("*.jpg"))
    if not images:
        raise InputError(f"no frames for sequence {sequence!r} under {root / 'JPEGImages' / '480p'}")
    images = images[:frames]
    masks = [root / "Annotations" / "480p" / sequence / f"{p.stem}.png" for p in images]
    missing = [m.name for m in masks if not m.exists()]
    if missing:
        raise InputError(f"{sequence}: frames {', '.join(missing[:3])} have no annotation; --video needs "
                         "every frame annotated (DAVIS 2016 train/val sequences are)")
    return [read_rgb(p) for p in images], [read_image(m).pixels[:, :, 0] > 0 for m in masks]


class ShotSegmenter:
    """HyperSeg over one shot, a frame at a time: one encoding per frame, shared by every method."""

    def __init__(self, predictor: Predictor, rgbs: list[np.ndarray], proxy: float | None) -> None:
        self.predictor, self.rgbs, self.proxy = predictor, rgbs, proxy
        self.feeds_back = "previous_mask" in predictor.config.extra_context
        self.encode_seconds: list[float] = []
        self._frame: int | None = None
        self._encoding: FrameEncoding | None = None
        self._cache: dict[tuple, np.ndarray] = {}

    def encoding(self, t: int) -> FrameEncoding:
        if self._frame != t:
            start = time.perf_counter()
            self._encoding = self.predictor.encode_frame(self.rgbs[t], self.rgbs[max(t - 1, 0)], self.proxy)
            self.encode_seconds.append(time.perf_counter() - start)
            self._frame, self._cache = t, {}
        return self._encoding  # type: ignore[return-value]

    def predict(self, t: int, positive: list[Point], negative: list[Point],
                previous: np.ndarray | None = None) -> np.ndarray:
        """Foreground probability on frame ``t``; zeros when there is no positive click."""
        if not positive:
            return np.zeros(self.rgbs[t].shape[:2], np.float32)
        mask_input = previous if self.feeds_back else None
        key = (tuple(positive), tuple(negative))
        if mask_input is not None or key not in self._cache:
            self._cache[key] = self.predictor.predict_encoded(self.encoding(t), positive, negative, mask_input).masks[0]
        return self._cache[key]


def first_frame_clicks(shot: ShotSegmenter, gt: np.ndarray, config: VideoEvalConfig
                       ) -> tuple[list[tuple[float, float, bool]], float]:
    """The clicker's clicks on frame 0 until ``first_frame_iou`` or ``first_frame_clicks``, and the IoU reached."""
    clicker, clicks = EvalClicker(), []
    prediction, not_clicked, score = np.zeros_like(gt), np.ones_like(gt), 0.0
    while len(clicks) < config.first_frame_clicks and score < config.first_frame_iou:
        click = clicker.next_click(gt, prediction, not_clicked)
        if click is None:
            break
        clicks.append(click)
        not_clicked[int(click[1]), int(click[0])] = False
        positive = [(x, y) for x, y, is_positive in clicks if is_positive]
        negative = [(x, y) for x, y, is_positive in clicks if not is_positive]
        prediction = shot.predict(0, positive, negative) > PROBABILITY_THRESHOLD
        score = iou(prediction, gt)
    return clicks, score


def _tracks(clicks: list[tuple[float, float, bool]]) -> ClickTracks:
    return ClickTracks([ClickTrack(f"c{i}", "positive" if positive else "negative", {0: (x, y)})
                        for i, (x, y, positive) in enumerate(clicks)])


def evaluate_sequence(predictor: Predictor, config: VideoEvalConfig, sequence: str,
                      progress: Callable[[str], None] = lambda message: None) -> SequenceResult:
    rgbs, gts = load_sequence(Path(config.data), sequence, config.frames)
    frames = list(range(len(rgbs)))
    shot = ShotSegmenter(predictor, rgbs, config.proxy)
    clicks, first_iou = first_frame_clicks(shot, gts[0], config)
    result = SequenceResult(sequence, clicks, first_iou)
    keyed = _tracks(clicks)
    gray = stepping_grays(rgbs.__getitem__)  # both passes step the same frames
    passes = {method: TrackingPass(keyed, gray) for method in (PROPAGATED, CORRECTED)}
    tracking_seconds = 0.0
    masks: dict[str, list[np.ndarray]] = {m: [] for m in METHODS}
    result.j = {m: [] for m in METHODS}
    result.frames_without_positive = dict.fromkeys(METHODS, 0)
    previous: dict[str, np.ndarray | None] = dict.fromkeys(METHODS)
    flows, flow_seconds = [], 0.0
    clicker = EvalClicker()
    for t in frames:
        progress(f"{sequence} frame {t + 1}/{len(frames)}")
        shot.encoding(t)
        start = time.perf_counter()
        clicks_of = {HELD: keyed.at(t), **{method: passes[method].step(t) for method in passes}}
        tracking_seconds += time.perf_counter() - start
        probabilities = {method: shot.predict(t, *clicks_of[method], previous[method])
                         for method in (HELD, PROPAGATED, CORRECTED)}
        if t > 0 and t % config.correction_every == 0:
            click = clicker.next_click(gts[t], probabilities[CORRECTED] > PROBABILITY_THRESHOLD)
            if click is not None:
                x, y, positive = click
                result.corrections.append((t, x, y, positive))
                passes[CORRECTED].add(ClickTrack(f"c{len(clicks) + len(result.corrections) - 1}",
                                                 "positive" if positive else "negative", {t: (x, y)}))
                clicks_of[CORRECTED] = passes[CORRECTED].clicks()
                probabilities[CORRECTED] = shot.predict(t, *clicks_of[CORRECTED], previous[CORRECTED])
        clicks_of[WALKER] = clicks_of[PROPAGATED]
        probabilities[WALKER] = random_walker_segment(rgbs[t], *clicks_of[WALKER])
        start = time.perf_counter()
        for method in passes:
            passes[method].segmented(probabilities[method])
        tracking_seconds += time.perf_counter() - start
        for method in METHODS:
            result.frames_without_positive[method] += not clicks_of[method][0]
            mask = probabilities[method] > PROBABILITY_THRESHOLD
            masks[method].append(mask)
            result.j[method].append(iou(mask, gts[t]))
            previous[method] = probabilities[method]
        if t > 0:
            start = time.perf_counter()
            flows.append(backward_flow(rgbs[t - 1], rgbs[t]))
            flow_seconds += time.perf_counter() - start
    tracked = {method: passes[method].result(frames) for method in passes}
    result.tracking_seconds_per_frame = tracking_seconds / len(frames)
    result.switched_off = [event.describe() for event in tracked[PROPAGATED].switched_off]
    result.tracked_clicks = {method: tracked[method].tracks.to_dict() for method in passes}
    result.flicker = {method: flicker(masks[method], flows) for method in METHODS}
    result.ground_truth_flicker = flicker(gts, flows)
    result.encode_seconds_per_frame = float(np.mean(shot.encode_seconds))
    result.flow_seconds_per_frame = flow_seconds / max(1, len(flows))
    return result


def evaluate_video(predictor: Predictor, config: VideoEvalConfig,
                   progress: Callable[[str], None] = lambda message: None) -> list[SequenceResult]:
    return [evaluate_sequence(predictor, config, sequence, progress) for sequence in config.sequences]


def overall(results: list[SequenceResult], method: str) -> dict:
    """A method's scores averaged over sequences (each sequence counts once, whatever its length)."""
    rows = [r.summary(method) for r in results]
    out = {"method": method, "sequence": "all", "frames": sum(r["frames"] for r in rows)}
    for key in ("J", "J first third", "J last third", "decay", "flicker"):
        out[key] = float(np.mean([r[key] for r in rows]))
    out["frames without a positive click"] = sum(r["frames without a positive click"] for r in rows)
    return out


def markdown_report(results: list[SequenceResult], header: str) -> str:
    keys = ("frames", "J", "J first third", "J last third", "decay", "flicker", "frames without a positive click")
    lines = [header, "", "| sequence | method | " + " | ".join(keys) + " |", "| --- " * (len(keys) + 2) + "|"]
    for rows in ([r.summary(m) for m in METHODS] for r in results):
        for row in rows:
            cells = [f"{row[k]:.3f}" if isinstance(row[k], float) else str(row[k]) for k in keys]
            lines.append(f"| {row['sequence']} | {row['method']} | " + " | ".join(cells) + " |")
    for method in METHODS:
        row = overall(results, method)
        cells = [f"{row[k]:.3f}" if isinstance(row[k], float) else str(row[k]) for k in keys]
        lines.append(f"| **all** | {method} | " + " | ".join(cells) + " |")
    lines.append("")
    for r in results:
        lines.append(f"- {r.sequence}: {len(r.first_clicks)} first-frame clicks (IoU {r.first_frame_iou:.3f}); "
                     f"ground-truth flicker {r.ground_truth_flicker:.3f}; {len(r.corrections)} corrections; "
                     f"tracking {r.tracking_seconds_per_frame * 1000:.1f} ms/frame, HyperSeg image-only work "
                     f"{r.encode_seconds_per_frame:.2f} s/frame; {len(r.switched_off)} clicks switched off"
                     + "".join(f"\n  - {line}" for line in r.switched_off))
    return "\n".join(lines) + "\n"


def plot_j_per_frame(results: list[SequenceResult], out: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(results), 1, figsize=(8, 3 * len(results)), squeeze=False)
    for ax, result in zip(axes[:, 0], results, strict=True):
        for method in METHODS:
            ax.plot(result.j[method], label=method, linewidth=1.2)
        for t, *_ in result.corrections:
            ax.axvline(t, color="grey", linewidth=0.5, linestyle=":")
        ax.set_title(result.sequence, fontsize=9)
        ax.set_xlabel("frame")
        ax.set_ylabel("J (IoU)")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=7, loc="lower left")
    fig.suptitle(title, fontsize=7)
    fig.tight_layout()
    with atomic_path(out) as temp:
        fig.savefig(temp, dpi=110, format="png")
    plt.close(fig)


def write_video_report(predictor: Predictor, config: VideoEvalConfig, results: list[SequenceResult],
                       out_dir: Path) -> str:
    """Write video.json, video.md and j_per_frame.png into ``out_dir``; returns the markdown."""
    out_dir.mkdir(parents=True, exist_ok=True)
    info = predictor.describe()
    header = (f"checkpoint {info['checkpoint']} ({info['config']} config), backbone {info['backbone']}"
              + (f" — {info['warning']}" if "warning" in info else "")
              + f"; HyperSeg at proxy {proxy_label(config.proxy)}"
              + f"; first-frame clicks until IoU {config.first_frame_iou} or "
              f"{config.first_frame_clicks} clicks; one correction per {config.correction_every} frames")
    markdown = markdown_report(results, header)
    write_text_atomic(out_dir / "video.md", markdown)
    payload = {"predictor": info, "config": asdict(config),
               "summary": [r.summary(m) for r in results for m in METHODS] + [overall(results, m) for m in METHODS],
               "sequences": [asdict(r) for r in results]}
    write_text_atomic(out_dir / "video.json", json.dumps(payload, indent=2))
    plot_j_per_frame(results, out_dir / "j_per_frame.png", header)
    return markdown
