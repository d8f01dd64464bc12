"""hyperseg.imageio: plates and alphas through OpenImageIO (torch-free).

``images`` reads and writes frames (EXR, DPX, TIFF, PNG, JPEG) and frame patterns;
``atomic_write`` is how every file is written; ``overlay`` and ``sample_plate`` draw pictures.
"""

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
    "FramePattern",
    "Image",
    "Window",
    "decode_exr_bytes",
    "encode_alpha_exr",
    "is_complete_exr",
    "read_display_window",
    "read_image",
    "read_rgb",
    "read_sequence",
    "rewindow",
    "write_alpha_exr",
    "write_image",
]
