"""Bearer-token authentication for every call but health checks."""

from __future__ import annotations

import hmac
import logging

import grpc

log = logging.getLogger("hyperseg.daemon")

HEALTH_PREFIX = "/grpc.health.v1.Health/"


class BearerTokenInterceptor(grpc.ServerInterceptor):
    """Aborts with UNAUTHENTICATED unless metadata carries ``authorization: Bearer <token>``.

    The comparison is constant-time. Health checks stay open so load balancers need no secret;
    they reveal nothing but SERVING / NOT_SERVING.
    """

    def __init__(self, token: str) -> None:
        self._expected = f"Bearer {token}".encode()

    def _authorized(self, metadata) -> bool:
        presented = [value for key, value in metadata or () if key == "authorization"]
        if len(presented) != 1:
            return False
        value = presented[0]
        value = value if isinstance(value, bytes) else value.encode()
        return hmac.compare_digest(value, self._expected)

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method.startswith(HEALTH_PREFIX):
            return handler
        if self._authorized(handler_call_details.invocation_metadata):
            return handler
        log.warning("%s rejected: missing or wrong bearer token", method)
        return _rejecting(handler, method)


def _rejecting(handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
    """A handler of the same shape as ``handler`` that aborts with UNAUTHENTICATED."""
    message = f"{method} needs a valid bearer token (metadata 'authorization: Bearer <token>')"

    def abort(_request, context):
        context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    def abort_stream(_request, context):
        context.abort(grpc.StatusCode.UNAUTHENTICATED, message)
        yield  # pragma: no cover - abort raises

    kinds = {
        (False, False): grpc.unary_unary_rpc_method_handler,
        (True, False): grpc.stream_unary_rpc_method_handler,
        (False, True): grpc.unary_stream_rpc_method_handler,
        (True, True): grpc.stream_stream_rpc_method_handler,
    }
    make = kinds[(handler.request_streaming, handler.response_streaming)]
    return make(
        abort_stream if handler.response_streaming else abort,
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )
