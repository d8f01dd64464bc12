"""gRPC status codes -> HyperSeg errors, keeping the daemon's own message.

The daemon maps its errors to status codes (see protos/hyperseg/v1/hyperseg.proto); this module
maps them back so a TD's ``except InputError`` and the Nuke node's status line read the same as
an in-process call. Four conditions have no shared class in ``hyperseg.errors`` and are defined
here: a rejected token, a path the daemon may not read, a request superseded by a newer one, and a deadline that passed.
"""

from __future__ import annotations

import grpc

from hyperseg.errors import CorruptFileError, HypersegError, InputError, NotFoundError, UnavailableError


class AuthenticationError(HypersegError, PermissionError):
    """The daemon refused the bearer token (missing or wrong)."""


class PermissionDeniedError(HypersegError, PermissionError):
    """The daemon may not read the named path (outside its --allow-root directories)."""


class SupersededError(HypersegError):
    """A newer request from the same client for the same frame replaced this one (latest wins)."""


class DaemonTimeoutError(HypersegError, TimeoutError):
    """The call's deadline passed before the daemon answered."""


_BY_CODE: dict[grpc.StatusCode, type[HypersegError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InputError,
    grpc.StatusCode.OUT_OF_RANGE: InputError,
    grpc.StatusCode.FAILED_PRECONDITION: InputError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: InputError,
    grpc.StatusCode.NOT_FOUND: NotFoundError,
    grpc.StatusCode.DATA_LOSS: CorruptFileError,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDeniedError,
    grpc.StatusCode.UNAUTHENTICATED: AuthenticationError,
    grpc.StatusCode.ABORTED: SupersededError,
    grpc.StatusCode.DEADLINE_EXCEEDED: DaemonTimeoutError,
    grpc.StatusCode.UNAVAILABLE: UnavailableError,
}


def error_from_rpc(error: grpc.RpcError, address: str) -> HypersegError:
    """The HyperSeg error for a failed call to the daemon at ``address``, with the daemon's words."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = (error.details() if hasattr(error, "details") else None) or ""
    if code is grpc.StatusCode.UNAVAILABLE:
        return UnavailableError(_unreachable_message(address, details))
    if code is grpc.StatusCode.UNAUTHENTICATED:
        return AuthenticationError(f"daemon at {address} refused the token: {details or 'unauthenticated'}")
    if code is grpc.StatusCode.DEADLINE_EXCEEDED:
        return DaemonTimeoutError(f"daemon at {address} did not answer in time: {details or 'deadline exceeded'}")
    cls = _BY_CODE.get(code, HypersegError)
    name = code.name if code is not None else "UNKNOWN"
    return cls(details or f"daemon at {address} failed the request ({name})")


def _unreachable_message(address: str, details: str) -> str:
    """'daemon unreachable at host:port', then gRPC's or the daemon's reason (e.g. shutting down)."""
    return f"daemon unreachable at {address} ({details})" if details else f"daemon unreachable at {address}"
