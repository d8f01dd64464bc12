"""hyperseg.imageio: plates and alphas through OpenImageIO (torch-free).

``images`` reads and writes frames (EXR, DPX, TIFF, PNG, JPEG) and frame patterns;
``colour`` is the one rule that turns a plate's pixels into the network's colour space;
``atomic_write`` is how every file is written; ``overlay`` and ``sample_plate`` draw pictures.
"""

from hyperseg.imageio.colour import NETWORK_COLORSPACE, check_colorspace, network_rgb, to_network
from hyperseg.imageio.images import (
    ALPHA_CHANNEL,
    HYPOTHESIS_PREFIX,
    METADATA_PREFIX,
    FramePattern,
    Image,
    Window,
    decode_exr_bytes,
    encode_alpha_exr,
    is_complete_exr,
    read_display_window,
    read_image,
    read_rgb,
    read_sequence,
    rewindow,
    write_alpha_exr,
    write_image,
)

__all__ = [
    "ALPHA_CHANNEL",
    "HYPOTHESIS_PREFIX",
    "METADATA_PREFIX",
    "NETWORK_COLORSPACE",
    "FramePattern",
    "Image",
    "Window",
    "check_colorspace",
    "decode_exr_bytes",
    "encode_alpha_exr",
    "is_complete_exr",
    "network_rgb",
    "read_display_window",
    "read_image",
    "read_rgb",
    "read_sequence",
    "rewindow",
    "to_network",
    "write_alpha_exr",
    "write_image",
]
