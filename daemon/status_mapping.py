"""How daemon-side failures become gRPC status codes.

hyperseg.errors covers what every side shares; the daemon adds the failures only a server has
(limits, roots, superseded and late work) as subclasses, so callers in-process still catch the
shared bases.
"""

from __future__ import annotations

import grpc

from hyperseg.errors import CorruptFileError, HypersegError, InputError, NotFoundError, UnavailableError


class LimitExceededError(InputError):
    """The request is well formed but over one of the daemon's limits."""


class PathNotAllowedError(InputError):
    """A path outside the daemon's --allow-root directories."""


class SupersededError(HypersegError):
    """A newer request from the same client for the same frame replaced this queued one."""


class DeadlineError(HypersegError):
    """The call's deadline passed before the model worker reached it."""


class CancelledError(HypersegError):
    """The client went away before the work ran."""


# Most specific first: subclasses precede their bases.
CODES: tuple[tuple[type[BaseException], grpc.StatusCode], ...] = (
    (LimitExceededError, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (PathNotAllowedError, grpc.StatusCode.PERMISSION_DENIED),
    (SupersededError, grpc.StatusCode.ABORTED),
    (DeadlineError, grpc.StatusCode.DEADLINE_EXCEEDED),
    (CancelledError, grpc.StatusCode.CANCELLED),
    (InputError, grpc.StatusCode.INVALID_ARGUMENT),
    (NotFoundError, grpc.StatusCode.NOT_FOUND),
    (CorruptFileError, grpc.StatusCode.DATA_LOSS),
    (UnavailableError, grpc.StatusCode.UNAVAILABLE),
    (HypersegError, grpc.StatusCode.FAILED_PRECONDITION),
)


def status_code(error: BaseException) -> grpc.StatusCode:
    """The status for ``error``; anything unexpected is INTERNAL."""
    for kind, code in CODES:
        if isinstance(error, kind):
            return code
    return grpc.StatusCode.INTERNAL
