"""Nuke y-up <-> wire y-down and proxy conversions."""

from __future__ import annotations

import itertools

import pytest

from hyperseg.plugin.coords import (
    FrameGeometry,
    nuke_to_wire,
    to_image,
    tracks_nuke_to_wire,
    tracks_wire_to_nuke,
    wire_to_nuke,
)
from hyperseg.protocol.clicktracks import ClickTrack, ClickTracks
from hyperseg.protocol.errors import InputError


def test_pixel_centres_map_to_pixel_centres():
    hd = FrameGeometry.full(1920, 1080)
    assert nuke_to_wire((0.5, 0.5), hd) == (0.5, 1079.5)  # Nuke's bottom-left pixel is the wire's last row
    assert nuke_to_wire((1919.5, 1079.5), hd) == (1919.5, 0.5)
    assert wire_to_nuke((0.5, 0.5), hd) == (0.5, 1079.5)


def test_proxy_scales_both_axes():
    half = FrameGeometry.proxy(1920, 1080, 0.5)
    assert (half.image_width, half.image_height) == (960, 540)
    assert nuke_to_wire((960.0, 1080.0), half) == (480.0, 0.0)
    assert nuke_to_wire((0.0, 0.0), half) == (0.0, 540.0)
    assert to_image((100.0, 50.0), half) == (50.0, 25.0)
    anamorphic = FrameGeometry(2048, 858, 1024, 858)  # proxy format scaled in x only
    assert nuke_to_wire((1024.0, 858.0), anamorphic) == (512.0, 0.0)


@pytest.mark.parametrize(
    "geometry",
    [FrameGeometry.full(64, 48), FrameGeometry.proxy(1920, 1080, 0.25), FrameGeometry(2048, 1556, 1000, 777)],
)
def test_round_trips(geometry):
    for x, y in itertools.product((0.0, 0.5, 17.25, 63.5), (0.0, 0.5, 11.75, 47.5)):
        back = wire_to_nuke(nuke_to_wire((x, y), geometry), geometry)
        assert back == pytest.approx((x, y), abs=1e-9)
        forth = nuke_to_wire(wire_to_nuke((x, y), geometry), geometry)
        assert forth == pytest.approx((x, y), abs=1e-9)


def test_tracks_flip_keys_and_keep_everything_else():
    tracks = ClickTracks(
        [
            ClickTrack("p1", "positive", {1001: (10.5, 40.5), 1050: (20.5, 30.5)}),
            ClickTrack("n1", "negative", {1001: (1.5, 2.5)}, off=[(1020, 1030)]),
        ]
    )
    wire = tracks_nuke_to_wire(tracks, 48)
    assert wire.tracks[0].keys == {1001: (10.5, 7.5), 1050: (20.5, 17.5)}
    assert wire.tracks[1].off == [(1020, 1030)] and wire.tracks[1].sign == "negative"
    assert tracks_wire_to_nuke(wire, 48) == tracks


def test_bad_geometry_is_refused():
    with pytest.raises(InputError, match="positive"):
        FrameGeometry(0, 10, 10, 10)
    with pytest.raises(InputError, match="proxy must be a scale"):
        FrameGeometry.proxy(10, 10, 1.5)
