"""Training the CAN: seeded, resumable exactly, checkpointing atomically as it goes.

The run directory holds ``state.pt`` (model, optimiser, step and history: what ``--resume``
continues from), ``model.pt`` (a plain checkpoint for ``Predictor.load``), ``train_log.jsonl``,
``train_config.json`` and ``training_curve.png``. Every step draws its randomness from
``(seed, step)`` alone, so a resumed run takes exactly the steps an uninterrupted one would.
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from hyperseg.imageio.atomic_write import atomic_path
from hyperseg.model.checkpoint import (
    atomic_torch_save,
    checkpoint_payload,
    load_backbone_record,
    load_checkpoint,
    save_checkpoint,
)
from hyperseg.model.config import CONFIGS, CONTEXT_CHANNELS, ModelConfig
from hyperseg.model.data import (
    DEFAULT_DAVIS_ROOT,
    HELD_OUT_SEQUENCES,
    BadSample,
    FrameSample,
    davis_samples,
    davis_sequences,
    plate_roto_samples,
)
from hyperseg.model.network.hyperseg_net import HyperSegNet
from hyperseg.model.training.composite import paste_object
from hyperseg.model.training.examples import Example, ExampleConfig, default_simulator, make_example
from hyperseg.model.training.feature_cache import CachedFrame, FeatureDiskCache, compressed_features
from hyperseg.model.training.loss import LossConfig, hyperseg_loss
from hyperseg.model.training.tucker_fit import load_tucker
from hyperseg.protocol.errors import InputError

#: Steps whose loss winners rank the hypotheses of an exported checkpoint.
RANKING_WINDOW = 200


@dataclass(frozen=True)
class TrainConfig:
    model: str = "default"
    #: DAVIS 2016 folder; empty to train on ``shots`` only.
    data: str = str(DEFAULT_DAVIS_ROOT)
    #: A studio's own shots: {"plate": "plate.%04d.exr", "roto": "roto.%04d.exr", "channel": "A"} each.
    shots: tuple[dict, ...] = ()
    #: Sequences to train on; empty = every DAVIS sequence not in ``validation``.
    sequences: tuple[str, ...] = ()
    validation: tuple[str, ...] = HELD_OUT_SEQUENCES
    frame_stride: int = 4
    #: Frames are trained on at this fraction of their resolution.
    scale: float = 0.5
    #: Proxy jitter: more fractions, each example drawing one of ``scale`` and these; its features
    #: come from the backbone run at that fraction, as a user's proxy runs it. Empty = off.
    extra_scales: tuple[float, ...] = ()
    steps: int = 2000
    batch: int = 8
    lr: float = 1e-3
    #: Spatial dropout on layer 1's image part (0 in the paper).
    image_dropout: float = 0.0
    #: VGG-19's first this many convolutions (2: conv1_1 and conv1_2) train with the CAN, for
    #: backbones without ImageNet weights; the checkpoint then carries them. Every example then runs
    #: the backbone on the tiles its crop samples (the cache keeps images only). 0 = frozen backbone.
    backbone_convs: int = 0
    #: Learning rate of those convolutions.
    backbone_lr: float = 1e-4
    #: What trains: "all" of the CAN, or with ``--init`` from a checkpoint whose config lacks some of this
    #: config's cues (``ModelConfig.added_context``) "added_context", only the weights on those cues'
    #: channels (starting at zero): the network then answers as the checkpoint does until a cue is non-zero.
    trainable: str = "all"
    seed: int = 0
    checkpoint_every: int = 50
    #: Stop (after saving) when this many minutes have passed in this sitting; 0 = no limit.
    max_minutes: float = 0.0
    examples: ExampleConfig = field(default_factory=ExampleConfig)
    loss: LossConfig = field(default_factory=LossConfig)

    @classmethod
    def from_file(cls, path: Path) -> TrainConfig:
        return cls.from_dict(json.loads(Path(path).read_text()), str(path))

    @classmethod
    def from_dict(cls, data: dict, source: str = "training config") -> TrainConfig:
        """Settings from JSON-like data; a setting left out keeps its default."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise InputError(f"{source}: unknown training settings {sorted(unknown)}")
        nested = {"examples": ExampleConfig, "loss": LossConfig}
        values = {}
        for key, value in data.items():
            if key in nested:
                value = nested[key](**{k: tuple(v) if isinstance(v, list) else v for k, v in value.items()})
            elif key == "shots":
                value = tuple(dict(shot) for shot in value)
            elif isinstance(value, list):
                value = tuple(value)
            values[key] = value
        return cls(**values)


def comparable(config: TrainConfig) -> dict:
    """The settings a resumed run must share with the run it continues (length and time limit may change).

    Settings added since a run was written compare at their defaults, so an old run still resumes
    as long as it is continued without them.
    """
    data = json.loads(json.dumps(asdict(config)))
    return {k: v for k, v in data.items() if k not in ("steps", "max_minutes")}


def training_sequences(config: TrainConfig) -> list[str]:
    if config.sequences:
        return list(config.sequences)
    return [s for s in davis_sequences(Path(config.data)) if s not in config.validation]


def plot_curve(history: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [h["step"] for h in history]
    fig, ax = plt.subplots(figsize=(7, 4))
    for key in ("loss", "best", "diversity", "boundary"):
        values = np.array([h[key] for h in history])
        window = max(1, len(values) // 50)
        smooth = np.convolve(values, np.ones(window) / window, mode="valid")
        ax.plot(steps[window - 1 :], smooth, label=key)
    ax.set_xlabel("step")
    ax.set_ylabel("loss (moving average)")
    ax.set_yscale("log")
    ax.legend()
    ax.set_title("HyperSeg training")
    fig.tight_layout()
    with atomic_path(out) as temp:
        fig.savefig(temp, dpi=100, format="png")
    plt.close(fig)


class Trainer:
    def __init__(self, config: TrainConfig, run_dir: Path, tucker: Path | None = None, init: Path | None = None,
                 cache_dir: Path | None = None, cache_max_bytes: int | None = None) -> None:
        self.config = config
        self.run_dir = Path(run_dir)
        if config.model not in CONFIGS:
            raise InputError(f"unknown model config {config.model!r}; choose from {sorted(CONFIGS)}")
        model_config: ModelConfig = CONFIGS[config.model]()
        torch.manual_seed(config.seed)
        self.model = HyperSegNet(model_config)
        #: What a fine-tune started from (``--init``): that checkpoint's id, its steps and its own start.
        self.init: dict | None = None
        #: Context channels this config adds to the ``--init`` checkpoint's (zero-initialised).
        self.added_channels = 0
        if init is not None:
            loaded = load_checkpoint(init)
            start = loaded.model
            self.init = {"checkpoint": loaded.checkpoint_id, "steps": loaded.training.get("steps"),
                         "init": loaded.training.get("init")}
            added = model_config.added_context(start.config)  # () when the weights fit as they are
            if added is None:
                raise InputError(f"{init} holds a {start.config.name!r} model whose weights do not fit the "
                                 f"{config.model!r} config: {start.config} vs {model_config}")
            self.model.compressor.load_state_dict(start.compressor.state_dict())
            self.added_channels = sum(CONTEXT_CHANNELS[name] for name in added)
            self.model.can.load_narrower(start.can.state_dict(), self.added_channels)
            if start.backbone.tuned_convs:
                self.model.backbone.load_tuned(start.backbone.tuned_state())
        elif tucker is None:
            raise InputError("training from scratch needs --tucker FILE (from `hyperseg fit-tucker`)")
        else:
            load_tucker(self.model, tucker)
        self.model.train()
        self.model.backbone.eval()
        groups = [{"params": self._trainable_can(), "lr": config.lr}]
        if config.backbone_convs:
            groups.append({"params": self.model.backbone.tune_first_convs(config.backbone_convs),
                           "lr": config.backbone_lr})
        self.optimizer = torch.optim.Adam(groups)
        self.step = 0
        self.history: list[dict] = []
        samples = []
        if config.data:
            samples = davis_samples(Path(config.data), training_sequences(config), config.frame_stride)
        for shot in config.shots:
            samples += plate_roto_samples(shot["plate"], shot["roto"], shot.get("channel", "A"), config.frame_stride)
        if not samples:
            raise InputError(f"no training frames found (data {config.data!r}, {len(config.shots)} shots)")
        self.samples = samples
        #: Indices into ``samples`` found unusable; the list itself never changes, so which frame a
        #: step draws depends on (seed, step) alone, not on what earlier steps (or sittings) met.
        self.bad_samples: set[int] = set()
        self.caches = {scale: FeatureDiskCache(cache_dir or self.run_dir / "features", self.model, scale,
                                               with_maps=not self.tunes_backbone, max_bytes=cache_max_bytes)
                       for scale in (config.scale, *config.extra_scales)}
        self.simulator = default_simulator(config.seed)

    def _trainable_can(self) -> list[torch.nn.Parameter]:
        if self.config.trainable == "all":
            return list(self.model.can.parameters())
        if self.config.trainable != "added_context":
            raise InputError(f"trainable {self.config.trainable!r}: choose 'all' or 'added_context'")
        if not self.added_channels:
            raise InputError("trainable 'added_context' needs --init from a checkpoint whose config lacks some of "
                             f"{self.config.model!r}'s cues")
        return self.model.can.last_context_weights(self.added_channels)

    @property
    def tunes_backbone(self) -> bool:
        return self.config.backbone_convs > 0

    def example_maps(self, frame: CachedFrame, example: Example) -> list[torch.Tensor]:
        """The compressed maps an example samples: cached, or with tuned convolutions a fresh pass of
        the backbone as it is now, with gradients, over the tiles the example's window samples."""
        if not self.tunes_backbone:
            return frame.maps
        rgb = torch.from_numpy(np.ascontiguousarray(frame.rgb.transpose(2, 0, 1)))
        return self.model.compressed_maps(rgb, example.size, example.feature_window)

    @property
    def state_path(self) -> Path:
        return self.run_dir / "state.pt"

    def save(self) -> None:
        atomic_torch_save({
            "checkpoint": checkpoint_payload(self.model),
            "optimizer": self.optimizer.state_dict(),
            "step": self.step,
            "history": self.history,
            "train_config": json.dumps(asdict(self.config)),
            "init": json.dumps(self.init),
        }, self.state_path)
        save_checkpoint(self.run_dir / "model.pt", self.model, self.training_summary(), self.hypothesis_order())
        if self.history:
            plot_curve(self.history, self.run_dir / "training_curve.png")

    def resume(self) -> None:
        state = torch.load(self.state_path, map_location="cpu", weights_only=True)
        written = TrainConfig.from_dict(json.loads(state["train_config"]), str(self.state_path))
        if comparable(written) != comparable(self.config):
            raise InputError(f"{self.state_path} was written with another training config; resume with the same one")
        self.model.compressor.load_state_dict(state["checkpoint"]["tucker"])
        self.model.can.load_state_dict(state["checkpoint"]["can"])
        load_backbone_record(self.model, state["checkpoint"]["backbone"], self.state_path)
        self.optimizer.load_state_dict(state["optimizer"])
        self.step = int(state["step"])
        self.history = list(state["history"])
        if "init" in state:
            self.init = json.loads(state["init"])
        with (self.run_dir / "train_log.jsonl").open("w") as log:
            log.writelines(json.dumps(record) + "\n" for record in self.history)

    def hypothesis_order(self) -> list[int]:
        """Hypotheses by how often each won the loss' min over the last ``RANKING_WINDOW`` steps.

        The exported checkpoint relabels its outputs in this order, so hypothesis 0 is the one that
        was best most often in training, whichever output happened to win early on. Training only the
        added cues keeps the start's labels, so its first click (the cues zero) answers exactly as before.
        """
        if self.config.trainable == "added_context":
            return list(range(self.model.config.hypotheses))
        counts = np.zeros(self.model.config.hypotheses)
        for record in self.history[-RANKING_WINDOW:]:
            counts += np.asarray(record.get("wins", np.zeros_like(counts)))
        return [int(i) for i in np.argsort(-counts, kind="stable")]

    def training_summary(self) -> dict:
        """What the exported checkpoint says of its training; a fine-tune names what it started from."""
        last = self.history[-50:]
        summary = {
            "steps": self.step,
            "train_config": json.dumps(asdict(self.config)),
            "final_loss": float(np.mean([h["loss"] for h in last])) if last else float("nan"),
            "frames": len(self.samples) - len(self.bad_samples),
            "hypothesis_order": self.hypothesis_order(),
        }
        if self.init is not None:
            summary["init"] = self.init
        return summary

    def draw_frame(self, rng: np.random.Generator, other_than: str | None = None,
                   scale: float | None = None) -> tuple[FrameSample, CachedFrame]:
        """A random usable frame at ``scale`` (default: the config's), of a source other than
        ``other_than`` when one is left; bad samples are reported on stderr once and drawn again,
        never fatal. A draw that lands on a bad sample draws again whether or not it was known bad,
        so a resumed run takes the frames an uninterrupted one would."""
        cache = self.caches[self.config.scale if scale is None else scale]
        everything = list(range(len(self.samples)))
        pool = everything
        if other_than is not None:
            pool = [i for i in everything if self.samples[i].source != other_than] or everything
        while not self.bad_samples.issuperset(everything):
            if self.bad_samples.issuperset(pool):
                pool = everything
            index = pool[int(rng.integers(len(pool)))]
            if index in self.bad_samples:
                continue
            sample = self.samples[index]
            try:
                return sample, cache.get(sample)
            except BadSample as exc:
                print(f"hyperseg: skipping sample: {exc}", file=sys.stderr)
                self.bad_samples.add(index)
        raise InputError("no usable training sample is left")

    def draw_example_frame(self, rng: np.random.Generator, scale: float) -> CachedFrame:
        """The frame of one example at ``scale``: a cached frame, or at ``composite_probability`` that frame
        with another sequence's object pasted onto it (features from a fresh pass of the backbone)."""
        sample, frame = self.draw_frame(rng, scale=scale)
        probability = self.config.examples.composite_probability
        if probability == 0 or rng.random() >= probability:
            return frame
        _, donor = self.draw_frame(rng, other_than=sample.source, scale=scale)
        pasted = paste_object(frame.rgb, frame.previous, donor.rgb, donor.previous, donor.mask, rng)
        if pasted is None:
            return frame
        maps = [] if self.tunes_backbone else compressed_features(self.model, pasted.rgb)
        return CachedFrame(maps, pasted.rgb, pasted.previous, pasted.mask)

    def train_step(self) -> dict:
        config = self.config
        rng = np.random.default_rng([config.seed, self.step])
        torch.manual_seed(config.seed * 1_000_003 + self.step)
        examples, image_parts = [], []
        scales = (config.scale, *config.extra_scales)
        for _ in range(config.batch):
            scale = scales[int(rng.integers(len(scales)))] if config.extra_scales else config.scale
            frame = self.draw_example_frame(rng, scale)
            original = (round(frame.size[0] / scale), round(frame.size[1] / scale))  # the frame as it was read
            example = make_example(frame, self.model.config, config.examples,
                                   self.model.config.cue_scale(scale, original), self.simulator, rng)
            image_part = self.model.image_part_from_compressed(self.example_maps(frame, example), example.size,
                                                               example.feature_window)
            image_parts.append(image_part.flip(-1) if example.flipped else image_part)
            examples.append(example)
        image_part = torch.stack(image_parts)
        if config.image_dropout > 0:
            image_part = F.dropout2d(image_part, config.image_dropout)
        self.add_own_error_clicks(examples, image_part, int(rng.integers(0, config.examples.own_error_clicks + 1)))
        logits = self.model.decode(image_part, torch.stack([torch.from_numpy(e.context) for e in examples]))
        terms = hyperseg_loss(torch.stack([torch.from_numpy(e.target) for e in examples]), torch.sigmoid(logits),
                              torch.stack([torch.from_numpy(e.positive_map) for e in examples]),
                              torch.stack([torch.from_numpy(e.negative_map) for e in examples]), config.loss)
        self.optimizer.zero_grad(set_to_none=True)
        terms.total.backward()
        self.optimizer.step()
        self.step += 1
        return {"step": self.step, "loss": terms.total.item(), "best": terms.best.item(),
                "diversity": terms.diversity.item(), "boundary": terms.boundary.item(),
                "wins": torch.bincount(terms.best_index, minlength=logits.shape[1]).tolist()}

    @torch.no_grad()
    def add_own_error_clicks(self, examples: list[Example], image_part: torch.Tensor, rounds: int) -> None:
        """RITM's iterative training: ``rounds`` times, click each example's largest error of the
        network's current best hypothesis (as the evaluation clicker would) and rebuild its context."""
        best = self.hypothesis_order()[0]
        for _ in range(rounds):
            context = torch.stack([torch.from_numpy(e.context) for e in examples])
            probabilities = torch.sigmoid(self.model.decode(image_part, context)[:, best]).numpy()
            for example, probability in zip(examples, probabilities, strict=True):
                example.add_error_click(probability, self.model.config)

    def run(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "train_config.json").write_text(json.dumps(asdict(self.config), indent=2))
        started = time.monotonic()
        log = (self.run_dir / "train_log.jsonl").open("a")
        bar = tqdm(total=self.config.steps, initial=self.step, desc="train", unit="step")
        try:
            while self.step < self.config.steps:
                tick = time.monotonic()
                record = self.train_step()
                record["seconds"] = round(time.monotonic() - tick, 3)
                self.history.append(record)
                log.write(json.dumps(record) + "\n")
                log.flush()
                bar.update(1)
                bar.set_postfix(loss=f"{record['loss']:.3f}", ex_s=f"{self.config.batch / record['seconds']:.1f}")
                if self.step % self.config.checkpoint_every == 0:
                    self.save()
                if self.config.max_minutes and time.monotonic() - started > self.config.max_minutes * 60:
                    break
        finally:
            bar.close()
            log.close()
        self.save()
        if not math.isfinite(self.history[-1]["loss"]):
            raise InputError("training diverged: the loss is not finite")
