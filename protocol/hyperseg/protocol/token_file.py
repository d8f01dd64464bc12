"""Bearer tokens kept in files: the daemon's ``--token-file`` and the client's."""

from __future__ import annotations

import os
from pathlib import Path

from hyperseg.protocol.errors import InputError, NotFoundError


def read_token_file(path: str | os.PathLike[str], *, private: bool = False) -> str:
    """The token in ``path``, surrounding whitespace dropped; ``private`` also demands mode 600."""
    path = Path(path).expanduser()
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise NotFoundError(f"token file not found: {path}") from None
    except OSError as error:
        raise InputError(f"cannot read token file {path}: {error.strerror}") from None
    if not token:
        raise InputError(f"token file {path} is empty")
    mode = path.stat().st_mode
    if private and mode & 0o077:
        raise InputError(f"token file {path} is readable by others (mode {mode & 0o777:o}): chmod 600 it")
    return token
