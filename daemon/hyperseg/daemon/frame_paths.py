"""Frames named by path: only regular files inside the --allow-root directories, after resolving
symlinks, read within a time limit.

A FIFO, a device or a socket is refused before anything reads it (its open is non-blocking), and
the file is decoded through the descriptor that was checked (Linux's /proc/self/fd), so nothing
swapped in after the check is read. The bytes are read once in a helper thread, which releases the GIL, with a
deadline: storage that hangs fails that one request (DEADLINE_EXCEEDED) instead of freezing the
daemon; the decoder then reads from the page cache.
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from hyperseg.daemon.frame_pixels import rgb_from_plane
from hyperseg.daemon.frame_store import StoredFrame
from hyperseg.imageio import Image, read_image
from hyperseg.imageio.colour import check_colorspace, file_colorspace, to_network
from hyperseg.protocol.errors import (
    DeadlineError,
    HypersegError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from hyperseg.protocol.frame_hash import frame_hash

READ_BLOCK_BYTES = 4 * 1024 * 1024
_FILE_KINDS = (
    (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class PathPolicy:
    """Decides which paths the daemon may read: realpath inside one of ``roots``, nothing else."""

    def __init__(self, roots: Sequence[str | os.PathLike]) -> None:
        self.roots = tuple(Path(os.path.realpath(root)) for root in roots)

    def resolve(self, path: str) -> Path:
        """The real path of ``path`` if the daemon may read it; PermissionDeniedError otherwise."""
        if not self.roots:
            raise PermissionDeniedError(
                f"this daemon reads no paths (start it with --allow-root DIR); refused {path!r}"
            )
        if not path or "\0" in path:
            raise InputError(f"frame path {path!r} is empty or contains a NUL byte")
        if not os.path.isabs(path):
            raise InputError(f"frame path {path!r} must be absolute")
        real = Path(os.path.realpath(path))
        for root in self.roots:
            if real == root or real.is_relative_to(root):
                return real
        roots = ", ".join(str(r) for r in self.roots)
        raise PermissionDeniedError(f"path {path!r} resolves to {real}, outside the allowed roots ({roots})")


def open_regular_file(real_path: Path) -> int:
    """A read-only descriptor of ``real_path``, which must be a regular file; the open never waits."""
    try:
        fd = os.open(real_path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        raise NotFoundError(f"image file not found: {real_path}") from None
    except OSError as error:
        raise PermissionDeniedError(f"cannot open {real_path}: {error.strerror}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise InputError(f"{real_path} is a directory, not an image file")
        kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")
        raise PermissionDeniedError(f"{real_path} is {kind}: the daemon reads only regular image files")
    return fd


def read_within(fd: int, real_path: Path, seconds: float) -> None:
    """Read the whole file behind ``fd`` once, in a helper thread; DeadlineError after ``seconds``.

    The thread works on its own duplicate of ``fd``; if the storage hangs it is left blocked
    (a daemon thread) and only this request fails.
    """
    own = os.dup(fd)
    failure: list[OSError] = []

    def read_all() -> None:
        try:
            while os.read(own, READ_BLOCK_BYTES):
                pass
        except OSError as error:
            failure.append(error)
        finally:
            os.close(own)

    reader = threading.Thread(target=read_all, name=f"hyperseg-read-{real_path.name}", daemon=True)
    reader.start()
    reader.join(seconds)
    if reader.is_alive():
        raise DeadlineError(f"reading {real_path} took longer than {seconds:g} s: is its storage hung?")
    if failure:
        raise NotFoundError(f"cannot read {real_path}: {failure[0].strerror}")


def load_path_frame(real_path: Path, max_frame_pixels: int, read_seconds: float, colorspace: str = "") -> StoredFrame:
    """Read an allowed image file as a StoredFrame: its data window's pixels (at most
    ``max_frame_pixels``) converted from ``colorspace`` (empty: the file's own) to the network's,
    both windows, hashed by content and placement."""
    if colorspace:
        check_colorspace(colorspace)  # before the file is read
    fd = open_regular_file(real_path)
    try:
        read_within(fd, real_path, read_seconds)
        image = _decode(fd, real_path, max_frame_pixels)
    finally:
        os.close(fd)
    display, data = image.display_window, image.data_window
    rgb = to_network(rgb_from_plane(image.pixels, image.channel_names, str(real_path)),
                     colorspace or file_colorspace(image))
    sha256 = frame_hash(np.ascontiguousarray(rgb), ("R", "G", "B"), (data.x, data.y), display)
    return StoredFrame(sha256, rgb, display, data)


def _decode(fd: int, real_path: Path, max_frame_pixels: int) -> Image:
    """Decode the file open as ``fd``, the very file that was checked.

    OpenImageIO opens a link to ``/proc/self/fd/<fd>`` that keeps the file's extension, so it
    picks the reader the extension names and reports that reader's errors.
    """
    with tempfile.TemporaryDirectory(prefix="hyperseg-path-") as scratch:
        link = Path(scratch) / f"frame{real_path.suffix}"
        os.symlink(f"/proc/self/fd/{fd}", link)
        try:
            return read_image(link, max_pixels=max_frame_pixels)
        except HypersegError as error:
            raise type(error)(str(error).replace(str(link), str(real_path))) from None
