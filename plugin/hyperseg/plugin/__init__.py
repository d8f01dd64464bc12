"""hyperseg.plugin: the host side, torch-free. ``Client`` talks to a daemon; ``plugin/nuke`` is the node."""

import hyperseg.protocol  # noqa: F401  (first: gRPC's fork rule, before grpc loads)
from hyperseg.plugin.client import Client, ClientConfig, RangeItem, SegmentResult

__all__ = ["Client", "ClientConfig", "RangeItem", "SegmentResult"]
