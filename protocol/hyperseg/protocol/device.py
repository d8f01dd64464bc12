"""The compute device a user names: ``auto``, ``cpu``, ``cuda`` or ``cuda:N``."""

from __future__ import annotations

import re

from hyperseg.protocol.errors import InputError

_DEVICE = re.compile(r"auto|cpu|cuda(:\d+)?")


def check_device(value: object) -> str:
    """``value`` if it names a device HyperSeg runs on, else InputError naming it."""
    if not isinstance(value, str) or not _DEVICE.fullmatch(value):
        raise InputError(f"device must be auto, cpu, cuda or cuda:N, got {value!r}")
    return value
