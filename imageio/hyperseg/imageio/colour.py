"""One colour path: a plate reaches the network with the same values by every route.

The network was trained on sRGB-encoded frames (the DAVIS JPEGs): it takes Rec.709 primaries with
the sRGB transfer, values in [0, 1] (``NETWORK_COLORSPACE``). A plate's pixels are in an input
colour space, named as Nuke's default OCIO config (nuke-default) names it; unnamed, a file's own
space follows Nuke's Read default: float files (EXR half or float) are linear, integer files (PNG,
JPEG, DPX, TIFF) sRGB. ``to_network`` is the one conversion: the input space's transfer to linear,
then the sRGB encoding, clipped to [0, 1]. ``raw`` is data, as in OCIO: converting it to linear
changes nothing.

Every route uses it: ``hyperseg segment`` and ``hyperseg batch`` in-process, the client reading a
file to upload (``FramePlane.from_file``), the daemon reading a path (the colour space travels in
``FrameRef.colorspace``). The Nuke node renders its input to ``scene_linear`` through OCIO first
(so any colour space the script's OCIO config knows works there) and sends that as
``scene_linear``, which meets the same rule.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from hyperseg.imageio.images import Image
from hyperseg.protocol.errors import InputError

NETWORK_COLORSPACE = "sRGB"
LINEAR = "linear"


def srgb_to_linear(v: np.ndarray) -> np.ndarray:
    return np.where(v <= 0.04045, v / 12.92, ((np.maximum(v, 0.04045) + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(v: np.ndarray) -> np.ndarray:
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * np.maximum(v, 0.0031308) ** (1 / 2.4) - 0.055)


def rec709_to_linear(v: np.ndarray) -> np.ndarray:
    return np.where(v < 0.081, v / 4.5, ((np.maximum(v, 0.081) + 0.099) / 1.099) ** (1 / 0.45))


def _unchanged(v: np.ndarray) -> np.ndarray:
    return v


#: Input colour space (nuke-default's names) -> its transfer to linear, for values >= 0.
TO_LINEAR: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": _unchanged,
    "scene_linear": _unchanged,
    "raw": _unchanged,
    "sRGB": srgb_to_linear,
    "rec709": rec709_to_linear,
    "Gamma2.2": lambda v: v**2.2,
}


def check_colorspace(name: str) -> str:
    """``name`` if ``to_network`` can convert from it; otherwise an InputError listing what it can."""
    if name not in TO_LINEAR:
        raise InputError(
            f"unknown input colour space {name!r}: hyperseg converts from {', '.join(TO_LINEAR)} (the names of"
            " Nuke's default OCIO config); convert the plate to one of them first"
        )
    return name


def file_colorspace(image: Image) -> str:
    """The colour space a file's pixels are taken to be in when none is named (Nuke's Read default)."""
    return LINEAR if image.pixel_type in ("half", "float", "double") else NETWORK_COLORSPACE


def to_network(rgb: np.ndarray, colorspace: str) -> np.ndarray:
    """(H, W, 3) pixels in ``colorspace`` as the network takes them: float32, sRGB-encoded, in [0, 1]."""
    to_linear = TO_LINEAR[check_colorspace(colorspace)]
    values = np.clip(np.asarray(rgb, dtype=np.float32), 0.0, None)
    # sRGB is already the network's encoding: no round trip through linear
    encoded = values if to_linear is srgb_to_linear else linear_to_srgb(to_linear(values.astype(np.float64)))
    return np.ascontiguousarray(np.clip(encoded, 0.0, 1.0), dtype=np.float32)


def network_rgb(image: Image, colorspace: str | None = None) -> np.ndarray:
    """``image``'s RGB in the network's colour space, from ``colorspace`` (None: the file's own)."""
    return to_network(image.rgb(), colorspace or file_colorspace(image))
