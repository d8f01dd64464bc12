"""hyperseg.plugin: the host side, torch-free. ``Client`` talks to a daemon; ``plugin/nuke`` is the node."""

from hyperseg.plugin.client import Client, ClientConfig, RangeItem, SegmentResult

__all__ = ["Client", "ClientConfig", "RangeItem", "SegmentResult"]
