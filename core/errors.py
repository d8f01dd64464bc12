"""Errors every side of HyperSeg shares.

Each names the problem in words a compositor can act on. The daemon maps them to gRPC status
codes (``InputError`` -> INVALID_ARGUMENT, ``NotFoundError`` -> NOT_FOUND, ...), the client maps
status codes back, so a bad click reads the same in-process, over the wire and in Nuke.
"""


class HypersegError(Exception):
    """Base class for every error HyperSeg raises on purpose."""


class InputError(HypersegError, ValueError):
    """The request itself is wrong: a click outside the frame, a NaN pixel, a wrong size."""


class NotFoundError(HypersegError, FileNotFoundError):
    """Something named does not exist: a file, a frame of a pattern, a cached frame hash."""


class CorruptFileError(HypersegError, OSError):
    """A file exists but cannot be decoded: a truncated EXR, a damaged checkpoint."""


class UnavailableError(HypersegError, ConnectionError):
    """The daemon cannot be reached."""
