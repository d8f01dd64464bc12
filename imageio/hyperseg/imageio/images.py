"""Image and frame-sequence I/O on OpenImageIO: plates in, alpha EXRs out.

Everything comes in as float32 (H, W, C) for the file's data window, whatever the format (EXR half
or float with any channel names, DPX, TIFF, PNG, JPEG; integer formats normalised to [0, 1]).
Windows follow OpenEXR: origin at the top-left of the display window, y down. Every writer is
atomic: it writes ``.{name}.tmp-<pid>-<hex>.<ext>`` beside the target, checks OpenImageIO's
write and close, decodes the temp file again (OpenImageIO reports success on a full disk), fsyncs,
then ``os.replace``s; a failed write raises WriteError and leaves neither the temp file nor a
damaged target behind. A damaged file whose error text is not valid UTF-8 is a CorruptFileError
like any other.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import fileseq
import numpy as np
import OpenImageIO as oiio

from hyperseg.imageio.atomic_write import atomic_path
from hyperseg.protocol.alpha_exr import ALPHA_CHANNEL, HYPOTHESIS_PREFIX, METADATA_PREFIX
from hyperseg.protocol.errors import CorruptFileError, InputError, LimitExceededError, NotFoundError, WriteError

EXR_MAGIC = b"\x76\x2f\x31\x01"
#: OpenEXR refuses windows whose edges lie beyond about +/-2**30 pixels.
MAX_COORDINATE = 2**30 - 2

# Pixel type each output format is written in; EXR writers choose half or float explicitly.
_INTEGER_OUTPUT_TYPES = {
    ".png": oiio.UINT8,
    ".jpg": oiio.UINT8,
    ".jpeg": oiio.UINT8,
    ".tif": oiio.UINT16,
    ".tiff": oiio.UINT16,
    ".dpx": oiio.UINT16,
}
_EXR_PIXEL_TYPES = {"half": oiio.HALF, "float": oiio.FLOAT}


@dataclass(frozen=True)
class Window:
    """A pixel rectangle: origin (x, y) and size, y down from the top of the display window."""

    x: int
    y: int
    width: int
    height: int

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise InputError(f"window size must be positive, got {self.width}x{self.height}")
        if min(self.x, self.y) < -MAX_COORDINATE or max(self.x + self.width, self.y + self.height) > MAX_COORDINATE:
            raise InputError(
                f"window at ({self.x}, {self.y}) of {self.width}x{self.height} reaches beyond"
                f" +/-{MAX_COORDINATE} pixels, more than OpenEXR can store"
            )

    @property
    def shape(self) -> tuple[int, int]:
        """(height, width), the numpy shape of a plane covering this window."""
        return (self.height, self.width)


@dataclass
class Image:
    """Decoded pixels of an image's data window, with the facts needed to place them in the frame."""

    pixels: np.ndarray
    channel_names: tuple[str, ...]
    data_window: Window
    display_window: Window
    pixel_aspect: float = 1.0
    metadata: dict[str, str] = field(default_factory=dict)
    pixel_type: str = "float"  # how the file stores its pixels: half, float, uint8, uint16, ...

    def channel(self, name: str) -> np.ndarray:
        """One channel as (H, W) float32."""
        if name not in self.channel_names:
            raise InputError(f"no channel {name!r} in this image; available channels: {', '.join(self.channel_names)}")
        return self.pixels[:, :, self.channel_names.index(name)]

    def rgb(self) -> np.ndarray:
        """(H, W, 3) float32: R, G, B if present, else grey (Y or a lone channel) x3, else the first 3."""
        names = self.channel_names
        if all(c in names for c in ("R", "G", "B")):
            planes = [self.channel(c) for c in ("R", "G", "B")]
        elif "Y" in names:
            planes = [self.channel("Y")] * 3
        elif len(names) == 1:
            planes = [self.pixels[:, :, 0]] * 3
        elif len(names) >= 3:
            planes = [self.pixels[:, :, i] for i in range(3)]
        else:
            raise InputError(f"cannot make RGB from channels {', '.join(names)}")
        return np.ascontiguousarray(np.stack(planes, axis=-1), dtype=np.float32)

    def hypotheses(self) -> np.ndarray | None:
        """The ``hypotheses.h0``.. channels as (M, H, W) float32 in hypothesis order, None if absent."""
        found = {}
        for name in self.channel_names:
            suffix = name.removeprefix(HYPOTHESIS_PREFIX)
            if suffix != name and suffix.isdigit():
                found[int(suffix)] = name
        if not found:
            return None
        return np.stack([self.channel(found[k]) for k in sorted(found)])

    @property
    def hyperseg_metadata(self) -> dict[str, str]:
        """The ``hyperseg/`` attributes, keys without the prefix (``frame``, ``clicks``, ``checkpoint``)."""
        return {
            key.removeprefix(METADATA_PREFIX): value
            for key, value in self.metadata.items()
            if key.startswith(METADATA_PREFIX)
        }

    def to_display_window(self) -> Image:
        """This image in frame coordinates: data window pasted into the display window, outside = 0."""
        disp = self.display_window
        out = rewindow(self.pixels, self.data_window, disp)
        return Image(out, self.channel_names, disp, disp, self.pixel_aspect, dict(self.metadata), self.pixel_type)


def rewindow(plane: np.ndarray, source: Window, target: Window) -> np.ndarray:
    """``plane`` (rows and columns first, covering ``source``) re-cut to cover ``target``:
    the overlap is copied, the rest of ``target`` is 0; ``plane`` itself when the windows agree."""
    if source == target:
        return plane
    out = np.zeros((target.height, target.width, *plane.shape[2:]), dtype=plane.dtype)
    x0, x1 = max(source.x, target.x), min(source.x + source.width, target.x + target.width)
    y0, y1 = max(source.y, target.y), min(source.y + source.height, target.y + target.height)
    if x0 < x1 and y0 < y1:
        out[y0 - target.y : y1 - target.y, x0 - target.x : x1 - target.x] = plane[
            y0 - source.y : y1 - source.y, x0 - source.x : x1 - source.x
        ]
    return out


def oiio_error_text(get_error: Callable[[], str]) -> str:
    """OpenImageIO's pending error text; bytes a damaged file put in it that are not UTF-8 are
    shown as U+FFFD instead of raising UnicodeDecodeError."""
    try:
        return get_error()
    except UnicodeDecodeError as error:
        return bytes(error.object).decode("utf-8", "replace")


def _open_image(path: Path) -> oiio.ImageInput:
    """An open ImageInput for ``path``, with the errors that name what is wrong with it."""
    if not path.exists():
        raise NotFoundError(f"image file not found: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a directory, not an image file")
    inp = oiio.ImageInput.open(str(path))
    if inp is None:
        reason = oiio_error_text(oiio.geterror) or "unknown OpenImageIO error"
        raise CorruptFileError(f"cannot open image {path}: {reason}")
    return inp


def _check_pixels(path: str | os.PathLike, window: Window, max_pixels: int | None) -> None:
    """LimitExceededError naming ``path`` when its data ``window`` has more than ``max_pixels`` pixels."""
    if max_pixels is not None and window.width * window.height > max_pixels:
        raise LimitExceededError(
            f"{path}: its data window is {window.width}x{window.height} = {window.width * window.height} pixels,"
            f" over the limit of {max_pixels}"
        )


def read_display_window(path: str | os.PathLike) -> Window:
    """The display window of ``path`` from its header alone (no pixels are decoded)."""
    inp = _open_image(Path(path))
    try:
        spec = inp.spec()
        return Window(spec.full_x, spec.full_y, spec.full_width, spec.full_height)
    finally:
        inp.close()


def read_image(
    path: str | os.PathLike, channels: Sequence[str] | None = None, *, max_pixels: int | None = None
) -> Image:
    """Decode the first subimage of ``path`` to float32; with ``channels``, only those, in that order.

    A data window of more than ``max_pixels`` pixels is a LimitExceededError before any decoding.
    """
    path = Path(path)
    inp = _open_image(path)
    try:
        spec = inp.spec()
        if spec.deep:
            raise InputError(f"{path} holds deep data; only flat images are supported")
        _check_pixels(path, Window(spec.x, spec.y, spec.width, spec.height), max_pixels)
        pixels = inp.read_image(0, 0, 0, spec.nchannels, "float")
        if pixels is None or inp.has_error:
            reason = oiio_error_text(inp.geterror) or "OpenImageIO returned no pixels"
            raise CorruptFileError(f"cannot decode image {path}: {reason}")
        try:
            channel_names = tuple(spec.channelnames)
            metadata = {a.name: str(a.value) for a in spec.extra_attribs}
        except UnicodeDecodeError:
            raise CorruptFileError(f"cannot decode image {path}: its header holds text that is not UTF-8") from None
    finally:
        inp.close()
    pixels = np.asarray(pixels, dtype=np.float32).reshape(spec.height, spec.width, spec.nchannels)
    image = Image(
        pixels=pixels,
        channel_names=channel_names,
        data_window=Window(spec.x, spec.y, spec.width, spec.height),
        display_window=Window(spec.full_x, spec.full_y, spec.full_width, spec.full_height),
        pixel_aspect=float(spec.get_float_attribute("PixelAspectRatio", 1.0)) or 1.0,
        metadata=metadata,
        pixel_type=str(spec.format),
    )
    if channels is None:
        return image
    unknown = [name for name in channels if name not in image.channel_names]
    if unknown:
        raise InputError(
            f"no channel {', '.join(map(repr, unknown))} in {path}; "
            f"available channels: {', '.join(image.channel_names)}"
        )
    image.pixels = pixels[:, :, [image.channel_names.index(name) for name in channels]]
    image.channel_names = tuple(channels)
    return image


def read_rgb(path: str | os.PathLike) -> np.ndarray:
    """(H, W, 3) float32 the size of the DISPLAY window, in frame coordinates (what the model works on).

    The data window is pasted at its place in the display window; pixels outside it are 0.
    """
    return read_image(path).to_display_window().rgb()


def decode_exr_bytes(data: bytes) -> Image:
    """Decode an in-memory OpenEXR file (as the daemon sends alphas) through a temp file."""
    if not data.startswith(EXR_MAGIC):
        raise CorruptFileError(f"not OpenEXR data: {len(data)} bytes without the EXR magic number")
    with tempfile.TemporaryDirectory(prefix="hyperseg-exr-") as scratch:
        path = Path(scratch) / "decode.exr"
        path.write_bytes(data)
        try:
            return read_image(path)
        except CorruptFileError as err:
            raise CorruptFileError(f"cannot decode {len(data)} bytes of OpenEXR data: {err}") from err


def is_complete_exr(path: str | os.PathLike, expected_channels: Iterable[str] | None = None) -> bool:
    """True only if ``path`` is an OpenEXR file that fully decodes and has all ``expected_channels``."""
    path = Path(path)
    if not path.is_file():
        return False
    inp = oiio.ImageInput.open(str(path))
    if inp is None:
        oiio_error_text(oiio.geterror)
        return False
    try:
        spec = inp.spec()
        if inp.format_name() != "openexr" or spec.deep:
            return False
        try:
            if not set(expected_channels or ()).issubset(spec.channelnames):
                return False
        except UnicodeDecodeError:
            return False
        pixels = inp.read_image(0, 0, 0, spec.nchannels, "float")
        complete = pixels is not None and not inp.has_error
        oiio_error_text(inp.geterror)
        return complete
    finally:
        inp.close()


# ---------------------------------------------------------------------------------------- writing


def _metadata_attributes(metadata: Mapping[str, str | int | float] | None) -> dict[str, str]:
    attributes = {}
    for key, value in (metadata or {}).items():
        if not isinstance(value, (str, int, float)):
            raise InputError(
                f"metadata {key!r} must be a str, int or float (encode structures as JSON), got {type(value).__name__}"
            )
        name = key if key.startswith(METADATA_PREFIX) else METADATA_PREFIX + key
        attributes[name] = str(value)
    return attributes


def _windows_for(
    height: int, width: int, data_window: Window | None, display_window: Window | None
) -> tuple[Window, Window]:
    data_window = data_window or Window(0, 0, width, height)
    display_window = display_window or Window(0, 0, width, height)
    if data_window.shape != (height, width):
        raise InputError(
            f"data window {data_window.width}x{data_window.height} does not match the pixels' size {width}x{height}"
        )
    return data_window, display_window


def _write_atomic(
    path: Path,
    pixels: np.ndarray,
    channel_names: Sequence[str],
    pixel_type: oiio.TypeDesc,
    data_window: Window,
    display_window: Window,
    pixel_aspect: float,
    attributes: Mapping[str, str],
) -> None:
    spec = oiio.ImageSpec(data_window.width, data_window.height, len(channel_names), pixel_type)
    spec.channelnames = tuple(channel_names)
    spec.x, spec.y = data_window.x, data_window.y
    spec.full_x, spec.full_y = display_window.x, display_window.y
    spec.full_width, spec.full_height = display_window.width, display_window.height
    spec.attribute("PixelAspectRatio", float(pixel_aspect))
    for name, value in attributes.items():
        spec.attribute(name, value)
    with atomic_path(path) as temp:
        out = oiio.ImageOutput.create(str(temp))
        if out is None:
            raise InputError(f"cannot write {path}: {oiio_error_text(oiio.geterror)}")
        written = False
        try:
            written = out.open(str(temp), spec) and out.write_image(np.ascontiguousarray(pixels))
            reason = "" if written else oiio_error_text(out.geterror)
        finally:
            closed = out.close()
        if not written or not closed:
            raise WriteError(f"cannot write {path}: {reason or oiio_error_text(out.geterror) or 'close failed'}")
        _verify_written(temp, path, spec)


def _verify_written(temp: Path, path: Path, spec: oiio.ImageSpec) -> None:
    """Decode the whole temp file of ``path`` again: WriteError unless it is complete and as specified.

    OpenImageIO reports success when a full disk truncated the file at close, so its results
    alone cannot tell.
    """
    inp = oiio.ImageInput.open(str(temp))
    problem = None
    if inp is None:
        problem = oiio_error_text(oiio.geterror) or "it does not open again"
    else:
        try:
            got = inp.spec()
            layout = (got.x, got.y, got.width, got.height, got.full_x, got.full_y, got.full_width,
                      got.full_height, got.nchannels)
            wanted = (spec.x, spec.y, spec.width, spec.height, spec.full_x, spec.full_y, spec.full_width,
                      spec.full_height, spec.nchannels)
            if layout != wanted:
                problem = f"it reads back as a different image ({layout} instead of {wanted})"
            elif inp.read_image(0, 0, 0, got.nchannels, "float") is None or inp.has_error:
                problem = oiio_error_text(inp.geterror) or "its pixels do not decode"
        finally:
            inp.close()
    if problem is not None:
        free = shutil.disk_usage(path.parent).free
        raise WriteError(
            f"cannot write {path}: the written file is incomplete ({problem}); {free} bytes free on its"
            " file system"
        )


def _check_pixel_aspect(pixel_aspect: float) -> None:
    if not (np.isfinite(pixel_aspect) and pixel_aspect > 0):
        raise InputError(f"pixel aspect must be a positive number, got {pixel_aspect}")


def write_image(
    path: str | os.PathLike,
    pixels: np.ndarray,
    channel_names: Sequence[str],
    *,
    display_window: Window | None = None,
    data_window: Window | None = None,
    pixel_aspect: float = 1.0,
    metadata: Mapping[str, str | int | float] | None = None,
    exr_pixel_type: str = "float",
) -> None:
    """Atomically write (H, W, C) pixels; the extension picks the format.

    EXR: ZIP, float (or ``exr_pixel_type="half"``); PNG/JPEG: 8-bit; TIFF/DPX: 16-bit, values
    clamped to [0, 1]. ``metadata`` lands as string attributes under ``hyperseg/``.
    """
    path = Path(path)
    pixels = np.asarray(pixels, dtype=np.float32)
    if pixels.ndim != 3 or pixels.shape[2] != len(channel_names) or 0 in pixels.shape:
        raise InputError(
            f"pixels must be (H, W, C) with C = {len(channel_names)} channel names, got shape {pixels.shape}"
        )
    suffix = path.suffix.lower()
    if suffix == ".exr":
        if exr_pixel_type not in _EXR_PIXEL_TYPES:
            raise InputError(f"exr_pixel_type must be 'half' or 'float', got {exr_pixel_type!r}")
        pixel_type = _EXR_PIXEL_TYPES[exr_pixel_type]
    elif suffix in _INTEGER_OUTPUT_TYPES:
        pixel_type = _INTEGER_OUTPUT_TYPES[suffix]
    else:
        raise InputError(f"cannot write {path}: unsupported extension {path.suffix!r}")
    _check_pixel_aspect(pixel_aspect)
    data_window, display_window = _windows_for(pixels.shape[0], pixels.shape[1], data_window, display_window)
    attributes = _metadata_attributes(metadata)
    if suffix == ".exr":
        attributes["compression"] = "zip"
    _write_atomic(path, pixels, channel_names, pixel_type, data_window, display_window, pixel_aspect, attributes)


def write_alpha_exr(
    path: str | os.PathLike,
    alpha: np.ndarray,
    *,
    hypotheses: np.ndarray | None = None,
    display_window: Window | None = None,
    data_window: Window | None = None,
    pixel_aspect: float = 1.0,
    metadata: Mapping[str, str | int | float] | None = None,
) -> None:
    """Atomically write an alpha EXR: half, ZIP, ``A`` = alpha, ``hypotheses.h0``.. = the (M, H, W) stack.

    Both windows default to the array's size at origin (0, 0). ``metadata`` keys are stored as
    string attributes with a ``hyperseg/`` prefix (e.g. ``frame``, ``clicks`` as JSON, ``checkpoint``).
    """
    alpha = np.asarray(alpha, dtype=np.float32)
    if alpha.ndim != 2 or 0 in alpha.shape:
        raise InputError(f"alpha must be a non-empty (H, W) array, got shape {alpha.shape}")
    planes = [alpha]
    names = [ALPHA_CHANNEL]
    if hypotheses is not None:
        hypotheses = np.asarray(hypotheses, dtype=np.float32)
        if hypotheses.ndim != 3 or hypotheses.shape[1:] != alpha.shape or hypotheses.shape[0] == 0:
            raise InputError(
                f"hypotheses must be (M, H, W) with (H, W) = alpha's {alpha.shape}, got {hypotheses.shape}"
            )
        planes.extend(hypotheses)
        names.extend(f"{HYPOTHESIS_PREFIX}{k}" for k in range(hypotheses.shape[0]))
    stack = np.stack(planes, axis=-1)
    if not np.isfinite(stack).all():
        raise InputError("alpha and hypotheses must be finite: found NaN or infinity")
    write_image(
        path,
        stack,
        names,
        display_window=display_window,
        data_window=data_window,
        pixel_aspect=pixel_aspect,
        metadata=metadata,
        exr_pixel_type="half",
    )


def encode_alpha_exr(
    alpha: np.ndarray,
    *,
    hypotheses: np.ndarray | None = None,
    display_window: Window | None = None,
    data_window: Window | None = None,
    pixel_aspect: float = 1.0,
    metadata: Mapping[str, str | int | float] | None = None,
) -> bytes:
    """The bytes of the file :func:`write_alpha_exr` would write (for sending over gRPC)."""
    with tempfile.TemporaryDirectory(prefix="hyperseg-exr-") as scratch:
        path = Path(scratch) / "alpha.exr"
        write_alpha_exr(
            path,
            alpha,
            hypotheses=hypotheses,
            display_window=display_window,
            data_window=data_window,
            pixel_aspect=pixel_aspect,
            metadata=metadata,
        )
        return path.read_bytes()


# ---------------------------------------------------------------------------------- frame patterns

# printf %04d / %d, Nuke ####, Houdini $F4 / $F, @@@@.
@dataclass(frozen=True)
class FramePattern:
    """A numbered file sequence: ``plate.%04d.exr``, ``plate.####.exr``, ``plate.$F4.exr``, ``plate.@@@.exr``.

    Parsed, named and listed by fileseq, as VFX pipelines do. ``#`` and ``@`` count one digit each
    (fileseq's HASH1 style), except that a lone ``#`` means 4 as in Nuke (fileseq's HASH4 style,
    which would make ``####`` sixteen digits); ``%d`` and ``$F`` mean no padding (``padding`` 1).
    Negative frames pad like printf: ``%04d`` of -5 is ``-005``.
    """

    pattern: str
    directory: Path = field(init=False)
    padding: int = field(init=False)
    _sequence: fileseq.FileSequence = field(init=False, repr=False, compare=False)

    def __init__(self, pattern: str | os.PathLike) -> None:
        text = os.fspath(pattern)
        try:
            sequence = fileseq.FileSequence(text, pad_style=fileseq.PAD_STYLE_HASH1, allow_subframes=False)
        except fileseq.ParseException:
            raise InputError(
                f"cannot read {text!r} as a frame sequence: write it as prefix, one frame token, extension"
                " (e.g. plate.%04d.exr, plate_####.v2.exr)"
            ) from None
        if not sequence.padding() or sequence.frameSet() is not None:
            raise InputError(
                f"no frame number token in the file name of {text!r}; use %04d, ####, $F4 or @@@@ for the frame number"
            )
        if sequence.padding() == "#":
            sequence = fileseq.FileSequence(text, pad_style=fileseq.PAD_STYLE_HASH4, allow_subframes=False)
        try:
            padding = fileseq.FileSequence.getPaddingNum(sequence.padding(), pad_style=sequence.padStyle())
        except ValueError:
            raise InputError(f"more than one frame number token in {text!r}; use exactly one") from None
        object.__setattr__(self, "pattern", text)
        object.__setattr__(self, "directory", Path(text).parent)
        object.__setattr__(self, "padding", padding)
        object.__setattr__(self, "_sequence", sequence)

    @property
    def prefix(self) -> str:
        """The file name before the frame token (``plate.`` of ``plate.%04d.exr``)."""
        return self._sequence.basename()

    @property
    def suffix(self) -> str:
        """The file name after the frame token (``.exr`` of ``plate.%04d.exr``)."""
        return self._sequence.extension()

    def name(self, frame: int) -> str:
        """The file name of ``frame``."""
        return self.path(frame).name

    def path(self, frame: int) -> Path:
        """The path of ``frame``."""
        return Path(self._sequence.frame(frame))

    def frames(self) -> dict[int, Path]:
        """The frames present on disk with exactly this padding, sorted by frame number."""
        if not self.directory.is_dir():
            raise NotFoundError(f"no frames for {self.pattern!r}: directory {self.directory} does not exist")
        try:
            found = fileseq.findSequenceOnDisk(self.pattern, strictPadding=True, pad_style=self._sequence.padStyle(),
                                               allow_subframes=False)
        except fileseq.FileSeqException:
            raise NotFoundError(
                f"no files match {Path(self.pattern).name!r} in directory {self.directory}"
            ) from None
        return {int(frame): self.path(int(frame)) for frame in sorted(found.frameSet())}

    def __str__(self) -> str:
        return self.pattern


def read_sequence(
    pattern: str | os.PathLike | FramePattern,
    frames: Iterable[int] | None = None,
    channels: Sequence[str] | None = None,
) -> Iterator[tuple[int, Image]]:
    """Yield (frame, Image) for ``frames`` (default: all on disk); every display size must match the first."""
    pattern = pattern if isinstance(pattern, FramePattern) else FramePattern(pattern)
    frames = pattern.frames() if frames is None else frames
    first: tuple[int, Window] | None = None
    for frame in frames:
        image = read_image(pattern.path(frame), channels)
        size = image.display_window.shape
        if first is None:
            first = (frame, image.display_window)
        elif size != first[1].shape:
            raise InputError(
                f"frame {frame} of {pattern.pattern!r} is {size[1]}x{size[0]} but frame {first[0]} "
                f"is {first[1].width}x{first[1].height}; a sequence must keep one display size"
            )
        yield frame, image
