"""The wire enums' names: every sign and direction the proto defines, each one way and back."""

from hyperseg.protocol.clicktracks import PROPAGATION_DIRECTIONS
from hyperseg.protocol.wire_enums import DIRECTION_NAMES, DIRECTIONS, SIGN_NAMES, SIGNS
from hyperseg.v1 import hyperseg_pb2 as pb


def test_every_direction_of_the_proto_has_a_name_and_unset_reads_as_forward():
    assert tuple(DIRECTIONS) == PROPAGATION_DIRECTIONS
    assert set(DIRECTION_NAMES) == set(pb.Direction.values())
    assert DIRECTION_NAMES[pb.DIRECTION_UNSPECIFIED] == "forward"
    assert all(DIRECTION_NAMES[wire] == name for name, wire in DIRECTIONS.items())


def test_every_sign_but_unset_has_a_name():
    assert set(SIGN_NAMES) == set(pb.Sign.values()) - {pb.SIGN_UNSPECIFIED}
    assert all(SIGN_NAMES[wire] == name for name, wire in SIGNS.items()) and set(SIGNS) == {"positive", "negative"}
