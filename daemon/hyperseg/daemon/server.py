"""Start and stop the daemon: gRPC server, health, reflection, auth, TLS, graceful drain."""

from __future__ import annotations

import logging
import ssl
import threading
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from hyperseg.daemon.auth import BearerTokenInterceptor
from hyperseg.daemon.config import MIB, DaemonConfig
from hyperseg.daemon.encoding_cache import FeatureCache
from hyperseg.daemon.frame_store import FrameStore
from hyperseg.daemon.segmentation_model import SegmentationModel
from hyperseg.daemon.servicer import HyperSegServicer
from hyperseg.daemon.worker import ModelWorker
from hyperseg.protocol.errors import InputError, UnavailableError
from hyperseg.v1 import hyperseg_pb2, hyperseg_pb2_grpc

log = logging.getLogger("hyperseg.daemon")

SERVICE_NAME = hyperseg_pb2.DESCRIPTOR.services_by_name["HyperSeg"].full_name


@dataclass
class RunningServer:
    """A started daemon. ``stop(grace)`` drains in-flight calls for up to ``grace`` seconds."""

    server: grpc.Server
    servicer: HyperSegServicer
    health: health.HealthServicer
    port: int
    config: DaemonConfig

    @property
    def address(self) -> str:
        host = self.config.host
        host = f"[{host}]" if ":" in host else host
        return f"{host}:{self.port}"

    def stop(self, grace: float | None = None) -> None:
        """Refuse new calls, let in-flight ones finish (up to ``grace`` s), then stop the worker."""
        grace = self.config.drain_seconds if grace is None else grace
        log.info("draining: finishing in-flight requests (up to %.0f s)", grace)
        self.health.enter_graceful_shutdown()
        self.server.stop(grace).wait()
        self.servicer.worker.stop(timeout=grace)
        log.info("stopped")

    def wait(self) -> None:
        self.server.wait_for_termination()


def load_predictor(config: DaemonConfig) -> SegmentationModel:
    """The Predictor the config names (imports torch only here)."""
    from hyperseg.model import Predictor

    if config.untrained_seed is not None:
        return Predictor.untrained(seed=config.untrained_seed, device=config.device)
    return Predictor.load(config.checkpoint, device=config.device)


def _credentials(config: DaemonConfig) -> grpc.ServerCredentials | None:
    """TLS credentials from --tls-cert and --tls-key, each checked so that a bad one is named."""
    if not config.tls:
        return None
    cert_path, key_path = Path(config.tls_cert), Path(config.tls_key)
    cert, key = _read_pem(cert_path, "--tls-cert"), _read_pem(key_path, "--tls-key")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_verify_locations(cadata=cert.decode("ascii", "replace"))
    except (ssl.SSLError, ValueError):
        raise InputError(f"--tls-cert {cert_path} holds no PEM certificate") from None
    try:
        context.load_cert_chain(cert_path, key_path)
    except ssl.SSLError as error:
        problem = "is not the key of that certificate" if "MISMATCH" in str(error) else "holds no PEM private key"
        raise InputError(f"--tls-key {key_path} {problem} (certificate {cert_path})") from None
    return grpc.ssl_server_credentials([(key, cert)])


def _read_pem(path: Path, flag: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {flag} {path}: {error.strerror}") from None


def serve(config: DaemonConfig, predictor: SegmentationModel | None = None) -> RunningServer:
    """Start the daemon described by ``config`` and return at once; the port may be 0 (any free)."""
    config.validate()
    credentials = _credentials(config)
    predictor = predictor if predictor is not None else load_predictor(config)
    cache = FeatureCache(config.cache_mb * MIB)
    worker = ModelWorker(predictor, cache)
    frames = FrameStore(config.frame_store_mb * MIB)
    servicer = HyperSegServicer(config, predictor, worker, frames)
    interceptors = [BearerTokenInterceptor(config.token)] if config.token is not None else []
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=config.grpc_threads, thread_name_prefix="hyperseg-rpc"),
        interceptors=interceptors,
        options=[
            ("grpc.max_receive_message_length", config.max_request_bytes),
            ("grpc.max_send_message_length", config.max_reply_bytes),
            ("grpc.so_reuseport", 0),
        ],
        maximum_concurrent_rpcs=config.grpc_threads * 4,
    )
    hyperseg_pb2_grpc.add_HyperSegServicer_to_server(servicer, server)
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )
    try:
        if credentials is None:
            port = server.add_insecure_port(config.address)
        else:
            port = server.add_secure_port(config.address, credentials)
    except RuntimeError as error:
        worker.stop()
        raise UnavailableError(f"cannot bind {config.address}: {error}") from None
    if port == 0:
        worker.stop()
        raise UnavailableError(f"cannot bind {config.address}: address in use or not available")
    server.start()
    for name in ("", SERVICE_NAME):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    running = RunningServer(server, servicer, health_servicer, port, config)
    log.info(
        "serving %s on %s (%s%s), device %s, checkpoint %s, cache %d MiB",
        SERVICE_NAME, running.address, "TLS" if credentials else "plaintext",
        ", token required" if config.token else "", predictor.device, predictor.checkpoint_id, config.cache_mb,
    )
    return running


def install_drain_on_sigterm(running: RunningServer) -> threading.Event:
    """SIGTERM/SIGINT: drain and stop ``running``; the returned event is set once stopped."""
    import signal

    stopped = threading.Event()

    def drain(signum, _frame) -> None:
        log.info("received %s", signal.Signals(signum).name)
        threading.Thread(target=lambda: (running.stop(), stopped.set()), daemon=True).start()

    signal.signal(signal.SIGTERM, drain)
    signal.signal(signal.SIGINT, drain)
    return stopped
