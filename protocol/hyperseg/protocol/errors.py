"""Every error HyperSeg raises on purpose, on every side.

Each names the problem in words a compositor can act on. ``hyperseg.protocol.status_codes`` maps
them to gRPC status codes and back, so a bad click reads the same in-process, over the wire and
in Nuke.
"""


class HypersegError(Exception):
    """Base class for every error HyperSeg raises on purpose."""


class InputError(HypersegError, ValueError):
    """The request itself is wrong: a click outside the frame, a NaN pixel, a wrong size."""


class LimitExceededError(InputError):
    """The request is well formed but over one of the daemon's limits (size, memory budget)."""


class PermissionDeniedError(InputError, PermissionError):
    """A path the daemon may not read (outside its --allow-root directories, or not a regular file)."""


class NotFoundError(HypersegError, FileNotFoundError):
    """Something named does not exist: a file, a frame of a pattern, a cached frame hash."""


class CorruptFileError(HypersegError, OSError):
    """A file exists but cannot be decoded: a truncated EXR, a damaged checkpoint."""


class UnavailableError(HypersegError, ConnectionError):
    """The daemon cannot be reached."""


class AuthenticationError(HypersegError, PermissionError):
    """The daemon refused the bearer token (missing or wrong)."""


class SupersededError(HypersegError):
    """A newer request from the same caller for the same frame replaced this one (latest wins)."""


class DeadlineError(HypersegError, TimeoutError):
    """The call's deadline passed before the work was done."""


class CancelledError(HypersegError):
    """The caller went away before the work ran."""


class WriteError(HypersegError, OSError):
    """An output could not be written completely (disk full, read-only, no permission); the
    target keeps what it held before."""
