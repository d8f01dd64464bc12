"""``hyperseg serve``: run the gRPC daemon until SIGTERM, then drain and exit."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from hyperseg.daemon.config import DaemonConfig
from hyperseg.protocol.errors import HypersegError
from hyperseg.protocol.token_file import read_token_file

DEFAULTS = DaemonConfig()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULTS.host,
                        help="address to bind (default 127.0.0.1; any other needs --token-file and TLS)")
    parser.add_argument("--port", type=int, default=DEFAULTS.port, help="port (default 50051; 0 = any free)")
    parser.add_argument("--device", default=DEFAULTS.device, help="auto, cpu, cuda or cuda:N (default auto)")
    parser.add_argument("--checkpoint", type=Path, help="checkpoint file (default: the bundled one)")
    parser.add_argument("--untrained-seed", type=int,
                        help="serve random weights with this seed instead of a checkpoint (plumbing tests)")
    parser.add_argument("--token-file", type=Path,
                        help="file holding the bearer token clients must send (mode 600)")
    parser.add_argument("--tls-cert", type=Path, help="PEM certificate chain for TLS")
    parser.add_argument("--tls-key", type=Path, help="PEM private key for TLS")
    parser.add_argument("--insecure", action="store_true",
                        help="allow plaintext on a non-loopback address (a token is still required)")
    parser.add_argument("--cache-mb", type=int, default=DEFAULTS.cache_mb,
                        help=f"feature cache budget, MiB (default {DEFAULTS.cache_mb})")
    parser.add_argument("--frame-store-mb", type=int, default=DEFAULTS.frame_store_mb,
                        help=f"uploaded frames budget, MiB (default {DEFAULTS.frame_store_mb})")
    parser.add_argument("--allow-root", type=Path, action="append", default=[], metavar="DIR",
                        help="directory whose images clients may name by path (repeatable; default none)")
    parser.add_argument("--max-frame-pixels", type=int, default=DEFAULTS.max_frame_pixels,
                        help=f"largest frame, width x height (default {DEFAULTS.max_frame_pixels})")
    parser.add_argument("--max-clicks", type=int, default=DEFAULTS.max_clicks,
                        help=f"most clicks per request (default {DEFAULTS.max_clicks})")
    parser.add_argument("--path-read-seconds", type=float, default=DEFAULTS.path_read_seconds,
                        help="a frame named by path must be read within this time (default"
                             f" {DEFAULTS.path_read_seconds:g}); hung storage fails only that request")
    parser.add_argument("--drain-seconds", type=float, default=DEFAULTS.drain_seconds,
                        help=f"on SIGTERM, wait this long for in-flight requests (default {DEFAULTS.drain_seconds:g})")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])


def config_from_args(args: argparse.Namespace) -> DaemonConfig:
    return DaemonConfig(
        host=args.host,
        port=args.port,
        device=args.device,
        checkpoint=args.checkpoint,
        untrained_seed=args.untrained_seed,
        token=read_token_file(args.token_file, private=True) if args.token_file else None,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        insecure=args.insecure,
        cache_mb=args.cache_mb,
        frame_store_mb=args.frame_store_mb,
        allow_roots=tuple(args.allow_root),
        max_frame_pixels=args.max_frame_pixels,
        max_clicks=args.max_clicks,
        drain_seconds=args.drain_seconds,
        path_read_seconds=args.path_read_seconds,
    ).validate()


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(levelname)s %(message)s",
                        stream=sys.stderr)
    from hyperseg.daemon.server import install_drain_on_sigterm, serve

    try:
        running = serve(config_from_args(args))
    except HypersegError as error:
        print(f"hyperseg serve: {error}", file=sys.stderr)
        return 2
    print(f"hyperseg serve: listening on {running.address}", flush=True)
    stopped = install_drain_on_sigterm(running)
    while not stopped.wait(1.0):
        pass
    return 0
