"""Click points and their one check.

A click is (x, y) in pixels of the frame it is placed on: origin at the top-left of the display
window, x right, y down, pixel centres at +0.5 (a click on row r, column c is (c + 0.5, r + 0.5)).
Nuke's y is up: only the node converts. The model sees only a frame's data window (its pixels);
``clicks_on_plane`` moves clicks onto it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from hyperseg.imageio import Window
from hyperseg.protocol.errors import InputError

#: (x, y) in pixels, see the module docstring.
Point = tuple[float, float]


def check_point(point: object, sign: str) -> Point:
    """``point`` as a finite (x, y) pair of floats, or InputError naming it."""
    try:
        x, y = (float(v) for v in point)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise InputError(f"{sign} click must be an (x, y) pair of numbers, got {point!r}") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise InputError(f"{sign} click ({x}, {y}) is not a finite coordinate")
    return x, y


def check_clicks(points: Iterable[object] | None, sign: str, size: tuple[int, int] | None = None) -> list[Point]:
    """Every point checked by ``check_point`` and, given ``size`` = (width, height), inside the frame; None is
    no clicks (as SAM's predictor takes it)."""
    checked = []
    for index, point in enumerate(() if points is None else points):
        x, y = check_point(point, sign)
        if size is not None:
            width, height = size
            if not (0.0 <= x < width and 0.0 <= y < height):
                raise InputError(
                    f"{sign} click {index} at ({x:g}, {y:g}) is outside the {width}x{height} frame"
                    f" (x in [0, {width}), y in [0, {height}), origin top-left, y down)"
                )
        checked.append((x, y))
    return checked


def clicks_on_plane(points: Iterable[object], sign: str, display: Window, data: Window) -> list[Point]:
    """Clicks given on the frame (display-window coordinates) as (x, y) on its data window's pixels.

    Each must land on the data window, the only pixels there are; with both windows equal this
    is ``check_clicks`` against the frame's size.
    """
    if display == data:
        return check_clicks(points, sign, (data.width, data.height))
    dx, dy = data.x - display.x, data.y - display.y
    moved = []
    for index, (x, y) in enumerate(check_clicks(points, sign)):
        if not (dx <= x < dx + data.width and dy <= y < dy + data.height):
            raise InputError(
                f"{sign} click {index} at ({x:g}, {y:g}) is off the frame's pixels: its data window spans"
                f" x in [{dx}, {dx + data.width}), y in [{dy}, {dy + data.height}) from the display window's"
                " top-left, y down"
            )
        moved.append((x - dx, y - dy))
    return moved
