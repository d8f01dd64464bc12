"""One file per trained model: config, Tucker factors, CAN weights and backbone fingerprint (and the
backbone's first convolutions where training tuned them).

Like RITM's ``serialize``, a checkpoint carries the config that rebuilds its model. It is a plain
dict of tensors, strings and numbers saved with ``torch.save`` and read back with
``torch.load(weights_only=True)``: loading never runs code from the file. Writes are atomic.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import torch

from hyperseg.imageio.atomic_write import atomic_path
from hyperseg.model.config import ModelConfig
from hyperseg.model.network.hyperseg_net import HyperSegNet
from hyperseg.protocol.errors import CorruptFileError, HypersegError, NotFoundError

FORMAT = "hyperseg-checkpoint"
VERSION = 1
#: The checkpoint that ships inside the package and that ``Predictor.load()`` uses.
DEFAULT_CHECKPOINT = Path(__file__).resolve().parent / "checkpoints" / "default.pt"


class BackboneMismatchError(HypersegError):
    """The checkpoint was trained on other backbone weights than the ones available here."""


@dataclass
class LoadedCheckpoint:
    model: HyperSegNet
    checkpoint_id: str
    path: Path | None
    training: dict


def ranked_can_state(model: HyperSegNet, order: list[int]) -> dict[str, torch.Tensor]:
    """The CAN's weights with its output hypotheses relabelled: new hypothesis k is old ``order[k]``."""
    state = {k: v.detach().cpu().clone() for k, v in model.can.state_dict().items()}
    index = torch.tensor(order)
    for key in ("last.weight", "last.bias"):
        state[key] = state[key][index]
    return state


def checkpoint_payload(model: HyperSegNet, training: dict | None = None,
                       hypothesis_order: list[int] | None = None) -> dict:
    """The checkpoint of ``model``; ``hypothesis_order`` relabels the hypotheses (see ``ranked_can_state``)."""
    order = hypothesis_order or list(range(model.config.hypotheses))
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": model.config.to_dict(),
        "backbone": backbone_record(model),
        "tucker": {k: v.detach().cpu() for k, v in model.compressor.state_dict().items()},
        "can": ranked_can_state(model, order),
        "training": training or {},
    }


def backbone_record(model: HyperSegNet) -> dict:
    """The backbone a checkpoint's weights were trained with: its name and fingerprint, and where
    training tuned its first convolutions, those layers and the fingerprint of the weights they replaced."""
    backbone = model.backbone
    record = {"name": model.config.backbone, "fingerprint": backbone.fingerprint}
    if backbone.tuned_convs:
        record.update(fingerprint=backbone.refresh_fingerprint(), base_fingerprint=backbone.base_fingerprint,
                      tuned=backbone.tuned_state())
    return record


def base_fingerprint(record: dict) -> str:
    """The fingerprint of the backbone weights a checkpoint's ``record`` started from (before any tuned layers)."""
    return record.get("base_fingerprint", record["fingerprint"])


def load_backbone_record(model: HyperSegNet, record: dict, source: Path | str) -> None:
    """Give ``model`` the backbone ``record`` describes; refuses other base weights than the record's."""
    base = base_fingerprint(record)
    if model.backbone.base_fingerprint != base:
        raise BackboneMismatchError(
            f"checkpoint {source} was trained with backbone {record['name']} fingerprint {base}, "
            f"but the backbone here has fingerprint {model.backbone.base_fingerprint}: its weights differ, so this "
            "checkpoint's outputs would be meaningless. Use the same backbone weights file or retrain."
        )
    if "tuned" in record:
        try:
            model.backbone.load_tuned(record["tuned"])
        except (ValueError, RuntimeError) as exc:
            raise CorruptFileError(f"checkpoint {source} has damaged tuned backbone layers: {exc}") from exc
    if model.backbone.fingerprint != record["fingerprint"]:
        raise CorruptFileError(f"checkpoint {source}'s tuned backbone layers have fingerprint "
                               f"{model.backbone.fingerprint}, not the {record['fingerprint']} it records")


def atomic_torch_save(payload: dict, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as temp:
        torch.save(payload, temp)


def save_checkpoint(path: Path, model: HyperSegNet, training: dict | None = None,
                    hypothesis_order: list[int] | None = None) -> str:
    """Write ``model`` atomically; returns its checkpoint id."""
    atomic_torch_save(checkpoint_payload(model, training, hypothesis_order), path)
    return checkpoint_id(Path(path).read_bytes())


def with_post_processes(source: Path, out: Path, config: ModelConfig) -> str:
    """Write ``source``'s checkpoint to ``out`` with ``config``'s post-processes (``POST_PROCESS_FIELDS``:
    what the outputs become, not what the weights mean); returns the new checkpoint's id. Refuses a
    config whose weights would mean something else."""
    payload, _ = read_checkpoint(source)
    own = ModelConfig.from_dict(payload["config"])
    if not own.weights_compatible(config):
        raise HypersegError(f"checkpoint {source} has config {own.name!r}, whose weights mean something else than "
                            f"under {config.name!r}: only post-process fields may change")
    payload["config"] = config.to_dict()
    atomic_torch_save(payload, out)
    return checkpoint_id(Path(out).read_bytes())


def checkpoint_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def read_checkpoint(path: Path) -> tuple[dict, str]:
    """The raw payload and id of a checkpoint file, with clear errors for missing or damaged files."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"checkpoint not found: {path}")
    data = path.read_bytes()
    try:
        with path.open("rb") as handle:
            payload = torch.load(handle, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise CorruptFileError(f"checkpoint {path} is damaged or not a HyperSeg checkpoint: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CorruptFileError(f"{path} is not a HyperSeg checkpoint (no '{FORMAT}' header)")
    if payload.get("version") != VERSION:
        raise CorruptFileError(
            f"checkpoint {path} has format version {payload.get('version')}; this HyperSeg reads version {VERSION}"
        )
    return payload, checkpoint_id(data)


def load_checkpoint(path: Path | None = None, device: str | torch.device = "cpu") -> LoadedCheckpoint:
    """Rebuild the model a checkpoint describes; refuses a backbone whose fingerprint differs."""
    path = DEFAULT_CHECKPOINT if path is None else Path(path)
    payload, ident = read_checkpoint(path)
    model = model_from_payload(payload, path)
    model.eval().to(device)
    return LoadedCheckpoint(model, ident, path, dict(payload.get("training", {})))


def model_from_payload(payload: dict, source: Path | str) -> HyperSegNet:
    """The network a read checkpoint (``read_checkpoint``) describes; ``source`` names it in errors."""
    try:
        config = ModelConfig.from_dict(payload["config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptFileError(f"checkpoint {source} has an invalid model config: {exc}") from exc
    model = HyperSegNet(config)
    load_backbone_record(model, payload["backbone"], source)
    try:
        model.compressor.load_state_dict(payload["tucker"])
        model.can.load_state_dict(payload["can"])
    except (KeyError, RuntimeError) as exc:
        raise CorruptFileError(f"checkpoint {source} does not match its own config: {exc}") from exc
    return model
