"""HyperSeg errors <-> gRPC status codes: one table, read one way by the daemon and the other way
by the client (the codes are documented in protos/hyperseg/v1/hyperseg.proto)."""

from __future__ import annotations

import grpc

from hyperseg.protocol.errors import (
    AuthenticationError,
    CancelledError,
    CorruptFileError,
    DeadlineError,
    HypersegError,
    InputError,
    LimitExceededError,
    NotFoundError,
    PermissionDeniedError,
    SupersededError,
    UnavailableError,
)

#: Most specific first: subclasses precede their bases. The first class listed for a code is the
#: one a client raises for it.
CODES: tuple[tuple[type[HypersegError], grpc.StatusCode], ...] = (
    (LimitExceededError, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (PermissionDeniedError, grpc.StatusCode.PERMISSION_DENIED),
    (AuthenticationError, grpc.StatusCode.UNAUTHENTICATED),
    (SupersededError, grpc.StatusCode.ABORTED),
    (DeadlineError, grpc.StatusCode.DEADLINE_EXCEEDED),
    (CancelledError, grpc.StatusCode.CANCELLED),
    (InputError, grpc.StatusCode.INVALID_ARGUMENT),
    (InputError, grpc.StatusCode.OUT_OF_RANGE),
    (NotFoundError, grpc.StatusCode.NOT_FOUND),
    (CorruptFileError, grpc.StatusCode.DATA_LOSS),
    (UnavailableError, grpc.StatusCode.UNAVAILABLE),
    (HypersegError, grpc.StatusCode.FAILED_PRECONDITION),
)

_BY_CODE: dict[grpc.StatusCode, type[HypersegError]] = {}
for _kind, _code in CODES:
    _BY_CODE.setdefault(_code, _kind)


def status_code(error: BaseException) -> grpc.StatusCode:
    """The status the daemon answers ``error`` with; anything unexpected is INTERNAL."""
    for kind, code in CODES:
        if isinstance(error, kind):
            return code
    return grpc.StatusCode.INTERNAL


def error_from_rpc(error: grpc.RpcError, address: str) -> HypersegError:
    """The HyperSeg error for a failed call to the daemon at ``address``, with the daemon's words."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = (error.details() if hasattr(error, "details") else None) or ""
    if code is grpc.StatusCode.UNAVAILABLE:
        return UnavailableError(f"daemon unreachable at {address} ({details})" if details
                                else f"daemon unreachable at {address}")
    if code is grpc.StatusCode.UNAUTHENTICATED:
        return AuthenticationError(f"daemon at {address} refused the token: {details or 'unauthenticated'}")
    if code is grpc.StatusCode.DEADLINE_EXCEEDED:
        return DeadlineError(f"daemon at {address} did not answer in time: {details or 'deadline exceeded'}")
    name = code.name if code is not None else "UNKNOWN"
    return _BY_CODE.get(code, HypersegError)(details or f"daemon at {address} failed the request ({name})")
