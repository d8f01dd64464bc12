"""The wire's enums by the names the rest of the code uses (``protos/hyperseg/v1/hyperseg.proto``).

A click's sign (``"positive"`` / ``"negative"``) and a propagation direction (``"forward"`` /
``"backward"`` / ``"both"``, ``hyperseg.protocol.clicktracks.PROPAGATION_DIRECTIONS``) each have one
wire value; an unset direction reads as forward, an unset sign is not a sign (``SIGN_NAMES`` lacks it).
"""

from __future__ import annotations

from hyperseg.v1 import hyperseg_pb2 as pb

SIGNS = {"positive": pb.SIGN_POSITIVE, "negative": pb.SIGN_NEGATIVE}
SIGN_NAMES = {wire: name for name, wire in SIGNS.items()}
DIRECTIONS = {"forward": pb.DIRECTION_FORWARD, "backward": pb.DIRECTION_BACKWARD, "both": pb.DIRECTION_BOTH}
DIRECTION_NAMES = {pb.DIRECTION_UNSPECIFIED: "forward", **{wire: name for name, wire in DIRECTIONS.items()}}
