"""Frames named by path: only inside the --allow-root directories, after resolving symlinks."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from hyperseg.daemon.frame_pixels import rgb_from_plane
from hyperseg.daemon.frame_store import StoredFrame
from hyperseg.imageio import read_image
from hyperseg.protocol.errors import InputError, LimitExceededError, PermissionDeniedError
from hyperseg.protocol.frame_hash import frame_hash


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


def load_path_frame(real_path: Path, max_frame_pixels: int) -> StoredFrame:
    """Read an allowed image file as a StoredFrame over its display window, hashed by content."""
    image = read_image(real_path)
    display = image.display_window
    if display.width * display.height > max_frame_pixels:
        raise LimitExceededError(
            f"{real_path} is {display.width}x{display.height}, over this daemon's limit of"
            f" {max_frame_pixels} pixels (--max-frame-pixels)"
        )
    framed = image.to_display_window()
    rgb = rgb_from_plane(framed.pixels, framed.channel_names, str(real_path))
    sha256 = frame_hash(np.ascontiguousarray(rgb), ("R", "G", "B"))
    return StoredFrame(sha256, rgb, display, image.data_window)
