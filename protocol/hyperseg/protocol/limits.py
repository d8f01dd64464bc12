"""Sizes the daemon and its callers agree on by default."""

#: The largest frame (data window) a daemon takes unless ``--max-frame-pixels`` says otherwise, and
#: the largest ``hyperseg segment`` decodes in-process.
MAX_FRAME_PIXELS = 4096 * 4096
#: Bytes of the largest frame plane a client uploads: MAX_FRAME_PIXELS of float32 RGB.
MAX_PLANE_BYTES = MAX_FRAME_PIXELS * 3 * 4
