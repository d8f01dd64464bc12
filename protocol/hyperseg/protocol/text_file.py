"""Reading the small text files users hand HyperSeg (clicks.json, job files, token files)."""

from __future__ import annotations

import os
from pathlib import Path

from hyperseg.protocol.errors import InputError, NotFoundError


def read_text_file(path: str | os.PathLike[str], what: str) -> str:
    """The UTF-8 text of ``path``; NotFoundError or InputError naming ``what`` and the problem."""
    path = Path(path).expanduser()
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFoundError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{what} {path} is a directory, not a file") from None
    except UnicodeDecodeError as error:
        byte = error.object[error.start]
        raise InputError(f"{what} {path} is not UTF-8 text (byte {error.start} is 0x{byte:02x})") from None
    except OSError as error:
        raise InputError(f"cannot read {what} {path}: {error.strerror or error}") from None
