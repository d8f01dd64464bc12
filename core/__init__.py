"""HyperSeg: click-driven rotoscoping.

The namespace root holds only what every side shares and that needs no torch: image I/O,
click tracks, frame ranges and the command line. ``hyperseg.model`` (torch), ``hyperseg.daemon``
(gRPC server), ``hyperseg.plugin`` (host side, torch-free) and ``hyperseg.batch`` (farm) build on it.
"""

__version__ = "0.1.0"
