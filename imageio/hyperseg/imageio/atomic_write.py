"""Atomic file writes: nothing half-written ever sits under a target's name.

Every writer in HyperSeg (alpha EXRs, checkpoints, clicks.json, job files, plots) writes to a temp
file beside its target named ``.{name}.tmp-<pid>-<hex>{suffix}`` (the suffix kept, so writers that
pick a format from the extension still can), fsyncs it, then ``os.replace``s it into place. On any
error the temp file is removed, an existing target is left untouched, and an operating-system
failure (disk full, read-only file system, no permission) becomes a WriteError naming the target.
"""

from __future__ import annotations

import glob
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from hyperseg.protocol.errors import HypersegError, InputError, NotFoundError, WriteError


def temp_path_for(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}{path.suffix}")


def stale_temp_files(path: Path) -> list[Path]:
    """Temp files a killed writer of ``path`` left behind."""
    path = Path(path)
    return sorted(path.parent.glob(f".{glob.escape(path.name)}.tmp-*"))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temp path to write; on success it replaces ``path``, on failure it is removed.

    The writer must have checked what it wrote (every byte written, the file closed, its content
    verified) before the block ends: whatever the temp file holds then becomes ``path``.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise NotFoundError(f"cannot write {path}: directory {path.parent} does not exist")
    temp = temp_path_for(path)
    try:
        yield temp
        _fsync(temp)
        try:
            os.replace(temp, path)
        except IsADirectoryError as err:
            raise InputError(f"cannot write {path}: it is a directory") from err
        if os.name != "nt":
            _fsync(path.parent)
    except HypersegError:
        raise
    except OSError as err:
        raise WriteError(f"cannot write {path}: {err.strerror or err}") from err
    finally:
        with suppress(OSError):  # a read-only file system never held the temp file
            temp.unlink(missing_ok=True)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    with atomic_path(path) as temp:
        temp.write_bytes(data)
    return Path(path)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    with atomic_path(path) as temp:
        temp.write_text(text, encoding="utf-8")
    return Path(path)
