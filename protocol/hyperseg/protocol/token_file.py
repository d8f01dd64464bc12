"""Bearer tokens kept in files: the daemon's ``--token-file`` and the client's."""

from __future__ import annotations

import os
from pathlib import Path

from hyperseg.protocol.errors import InputError
from hyperseg.protocol.text_file import read_text_file


def read_token_file(path: str | os.PathLike[str], *, private: bool = False) -> str:
    """The token in ``path``, surrounding whitespace dropped; ``private`` also demands mode 600."""
    path = Path(path).expanduser()
    token = read_text_file(path, "token file").strip()
    if not token:
        raise InputError(f"token file {path} is empty")
    mode = path.stat().st_mode
    if private and mode & 0o077:
        raise InputError(f"token file {path} is readable by others (mode {mode & 0o777:o}): chmod 600 it")
    return token
