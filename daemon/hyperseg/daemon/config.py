"""The daemon's configuration: what `hyperseg serve` parses into, what `serve()` takes."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from hyperseg.protocol.device import check_device
from hyperseg.protocol.errors import InputError
from hyperseg.protocol.limits import MAX_FRAME_PIXELS

MIB = 1024 * 1024
MAX_CHUNK_BYTES = MIB
LOOPBACK_NAMES = {"localhost", "ip6-localhost", "ip6-loopback"}


@dataclass(frozen=True)
class DaemonConfig:
    """Everything the daemon needs to start. ``validate()`` enforces the security rules."""

    host: str = "127.0.0.1"
    port: int = 50051
    device: str = "auto"
    checkpoint: Path | None = None
    token: str | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    insecure: bool = False
    cache_mb: int = 2048
    frame_store_mb: int = 2048
    allow_roots: tuple[Path, ...] = ()
    max_frame_pixels: int = MAX_FRAME_PIXELS
    max_clicks: int = 128
    max_channels: int = 16
    max_range_items: int = 1000
    #: Frames one SegmentRange tracks its clicks through (each held as a grey image while it runs).
    max_propagation_frames: int = 2000
    max_request_bytes: int = 4 * MIB
    max_reply_bytes: int = 256 * MIB
    grpc_threads: int = 32
    drain_seconds: float = 30.0
    path_read_seconds: float = 30.0
    untrained_seed: int | None = None

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    def validate(self) -> DaemonConfig:
        """Raise InputError naming the first problem; return self when sound."""
        if not 0 <= self.port <= 65535:
            raise InputError(f"--port must be 0..65535, got {self.port}")
        check_device(self.device)
        if (self.tls_cert is None) != (self.tls_key is None):
            raise InputError("--tls-cert and --tls-key go together: give both or neither")
        if self.token is not None and not self.token.strip():
            raise InputError("the token file is empty")
        if not self.loopback:
            if self.token is None:
                raise InputError(
                    f"binding {self.host} (not loopback) requires a token: pass --token-file FILE"
                )
            if not self.tls and not self.insecure:
                raise InputError(
                    f"binding {self.host} (not loopback) requires TLS (--tls-cert and --tls-key);"
                    " pass --insecure to serve plaintext on a trusted network"
                )
        for name, value in (
            ("--cache-mb", self.cache_mb),
            ("--frame-store-mb", self.frame_store_mb),
            ("--max-frame-pixels", self.max_frame_pixels),
            ("--max-clicks", self.max_clicks),
            ("--path-read-seconds", self.path_read_seconds),
        ):
            if value <= 0:
                raise InputError(f"{name} must be positive, got {value}")
        for root in self.allow_roots:
            if not Path(root).is_dir():
                raise InputError(f"--allow-root {root} is not a directory")
        if self.max_request_bytes < MAX_CHUNK_BYTES + 64 * 1024:
            raise InputError("max_request_bytes must leave room for a 1 MiB chunk")
        return self

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and the usual names for them."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
