"""Nuke's pixel coordinates <-> the wire's, and proxy scaling. The only place either happens.

Nuke: origin at the bottom-left corner of the node's format, y up, in full-size format pixels
(knob values stay full-size in proxy mode; Nuke scales them when it renders).
Wire (DESIGN.md, clicks.json): origin at the top-left corner of the display window, y down.
Both put pixel centres at +0.5, so the flip is exact with no half-pixel shift:
``y_wire = height - y_nuke``. Proxy: the image the daemon receives may be smaller than the format
(rendered in Nuke's proxy mode); wire coordinates then scale by image size / format size per axis.
"""

from __future__ import annotations

from dataclasses import dataclass

from hyperseg.protocol.clicks import Point
from hyperseg.protocol.clicktracks import ClickTrack, ClickTracks
from hyperseg.protocol.errors import InputError
from hyperseg.protocol.proxy import check_proxy, proxy_size


@dataclass(frozen=True)
class FrameGeometry:
    """A format (full size, what knobs are in) and the size of the image actually sent."""

    format_width: int
    format_height: int
    image_width: int
    image_height: int

    def __post_init__(self) -> None:
        sizes = (self.format_width, self.format_height, self.image_width, self.image_height)
        if min(sizes) <= 0:
            raise InputError(f"format and image sizes must be positive, got {sizes}")

    @classmethod
    def full(cls, width: int, height: int) -> FrameGeometry:
        """The image is the format itself (no proxy)."""
        return cls(width, height, width, height)

    @classmethod
    def proxy(cls, width: int, height: int, scale: float) -> FrameGeometry:
        """The image is the format scaled by ``scale`` (Nuke's proxy_type "scale"), rounded to pixels."""
        return cls(width, height, *proxy_size(width, height, check_proxy(scale)))

    @property
    def scale_x(self) -> float:
        return self.image_width / self.format_width

    @property
    def scale_y(self) -> float:
        return self.image_height / self.format_height


def nuke_to_wire(point: Point, geometry: FrameGeometry) -> Point:
    """A knob value (full-size format pixels, y up) -> pixels of the sent image, y down."""
    x, y = point
    return (x * geometry.scale_x, (geometry.format_height - y) * geometry.scale_y)


def wire_to_nuke(point: Point, geometry: FrameGeometry) -> Point:
    """Pixels of the sent image, y down -> a knob value (full-size format pixels, y up)."""
    x, y = point
    return (x / geometry.scale_x, geometry.format_height - y / geometry.scale_y)


def to_image(point: Point, geometry: FrameGeometry) -> Point:
    """Wire coordinates at full size -> wire coordinates on the (proxy) image actually sent."""
    x, y = point
    return (x * geometry.scale_x, y * geometry.scale_y)


def from_image(point: Point, geometry: FrameGeometry) -> Point:
    """Wire coordinates on the (proxy) image sent -> wire coordinates at full size (``to_image`` undone)."""
    x, y = point
    return (x / geometry.scale_x, y / geometry.scale_y)


def tracks_to_image(tracks: ClickTracks, geometry: FrameGeometry) -> ClickTracks:
    """Full-size wire click tracks -> the same on the (proxy) image sent."""
    return ClickTracks(
        [ClickTrack(t.id, t.sign, {f: to_image(p, geometry) for f, p in t.keys.items()}, list(t.off))
         for t in tracks.tracks]
    )


def tracks_nuke_to_wire(tracks: ClickTracks, format_height: int) -> ClickTracks:
    """Click tracks keyed in Nuke coordinates -> the same tracks in full-size wire coordinates."""
    return _flip_tracks(tracks, format_height)


def tracks_wire_to_nuke(tracks: ClickTracks, format_height: int) -> ClickTracks:
    """Full-size wire click tracks (clicks.json) -> Nuke coordinates for the node's XY knobs."""
    return _flip_tracks(tracks, format_height)


def _flip_tracks(tracks: ClickTracks, height: int) -> ClickTracks:
    """The y flip at full size is its own inverse: y' = height - y."""
    return ClickTracks(
        [
            ClickTrack(t.id, t.sign, {f: (x, height - y) for f, (x, y) in t.keys.items()}, list(t.off))
            for t in tracks.tracks
        ]
    )
