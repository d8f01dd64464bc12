"""One checkpoint from several of one run: their weights averaged (stochastic weight averaging,
Izmailov et al. 2018), which evens out where a run at a constant learning rate happens to stop.

An exported checkpoint has its hypotheses relabelled by how often each won in training
(``Trainer.hypothesis_order``), and that order may differ between snapshots; each one's last layer
is put back in training order before averaging, and the average takes the last checkpoint's order.
Only checkpoints of the same model (config, Tucker factors, backbone) can be averaged.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from hyperseg.model.checkpoint import base_fingerprint, model_from_payload, read_checkpoint, save_checkpoint
from hyperseg.protocol.errors import InputError

#: The CAN's keys with one row per hypothesis (the ones relabelling permutes).
HYPOTHESIS_KEYS = ("last.weight", "last.bias")


def training_order_state(payload: dict) -> dict[str, torch.Tensor]:
    """A checkpoint's CAN weights with its hypotheses back in training order."""
    state = {k: v.double() for k, v in payload["can"].items()}
    order = payload["training"].get("hypothesis_order")
    if order is not None:
        for key in HYPOTHESIS_KEYS:
            raw = torch.empty_like(state[key])
            raw[torch.tensor(order)] = state[key]
            state[key] = raw
    return state


def average_checkpoints(paths: Sequence[Path], out: Path) -> str:
    """Write the average of ``paths`` (same model, in run order) to ``out``; returns its checkpoint id."""
    if len(paths) < 2:
        raise InputError("averaging needs at least two checkpoints")
    payloads, ids = zip(*(read_checkpoint(path) for path in paths), strict=True)
    first = payloads[0]
    for path, payload in zip(paths[1:], payloads[1:], strict=True):
        same_backbone = base_fingerprint(payload["backbone"]) == base_fingerprint(first["backbone"])
        if payload["config"] != first["config"] or not same_backbone:
            raise InputError(f"{path} is another model than {paths[0]} (config or backbone differ)")
        if any(not torch.equal(v, first["tucker"][k]) for k, v in payload["tucker"].items()):
            raise InputError(f"{path} has other Tucker factors than {paths[0]}: not the same run")
    states = [training_order_state(payload) for payload in payloads]
    mean = {key: sum(state[key] for state in states) / len(states) for key in states[0]}
    last = payloads[-1]
    order = last["training"].get("hypothesis_order")
    if order is not None:
        for key in HYPOTHESIS_KEYS:
            mean[key] = mean[key][torch.tensor(order)]
    model = model_from_payload(last, paths[-1])
    model.can.load_state_dict({key: value.to(last["can"][key].dtype) for key, value in mean.items()})
    tuned = [payload["backbone"].get("tuned") for payload in payloads]
    if any(t is not None for t in tuned):
        if any(t is None or sorted(t) != sorted(tuned[-1]) for t in tuned):
            raise InputError("only checkpoints that tuned the same backbone layers can be averaged")
        model.backbone.load_tuned({key: sum(t[key].double() for t in tuned).float() / len(tuned)
                                   for key in tuned[-1]})
    training = dict(last["training"])
    training["averaged"] = [{"checkpoint": ident, "steps": payload["training"].get("steps")}
                            for ident, payload in zip(ids, payloads, strict=True)]
    return save_checkpoint(out, model, training)
