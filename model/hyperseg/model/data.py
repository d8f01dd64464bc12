"""Training and evaluation data: DAVIS sequences, or a studio's plates with their roto alphas.

A sample is one frame with its previous frame (X_{t-1}; the frame itself at a shot's first frame)
and its ground-truth mask. Splits are by sequence, never by frame: neighbouring frames are
near-duplicates. Bad samples (unreadable, size mismatch, empty mask) are reported and skipped.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hyperseg.imageio import FramePattern, read_image, read_rgb
from hyperseg.model.frames import enlarge, resize
from hyperseg.protocol.errors import HypersegError

#: Where the shared DAVIS 2016 sequences live, relative to the repository root.
DEFAULT_DAVIS_ROOT = Path("../shared/data/davis2016")
#: The split, by sequence and never by frame (neighbouring frames are near-duplicates). Every
#: setting (post-processes, band width, proxy, checkpoint step) is chosen on ``tuning`` frames;
#: ``report`` sequences only report, once a setting is chosen; every other sequence trains.
#: The first bundled default trained on the DAVIS validation sequences outside blackswan, cows and
#: scooter-black and was tuned on those three, so it is reported here only against this split's
#: report sequences once retrained.
SPLIT: dict[str, tuple[str, ...]] = {
    "tuning": ("blackswan", "car-roundabout", "cows", "scooter-black"),
    "report": ("breakdance", "dog", "drift-chicane", "goat", "horsejump-high", "parkour"),
}
#: Sequences no training run may see.
HELD_OUT_SEQUENCES: tuple[str, ...] = SPLIT["tuning"] + SPLIT["report"]


@dataclass(frozen=True)
class FrameSample:
    name: str
    frame: Path
    previous: Path
    mask: Path
    #: Channel of ``mask`` holding the matte; None for single-channel masks (DAVIS PNGs).
    mask_channel: str | None = None
    #: The mask is 8-bit with an unknown band (GrabCut's): 255 object, 128 unknown, else background.
    unknown_band: bool = False

    @property
    def source(self) -> str:
        """The sequence or plate the frame belongs to: its name up to the first '/' or '@'."""
        return re.split("[/@]", self.name, maxsplit=1)[0]


@dataclass
class LoadedSample:
    rgb: np.ndarray  # (h, w, 3) float32 in [0, 1]
    previous: np.ndarray  # (h, w, 3)
    mask: np.ndarray  # (h, w) bool
    #: (h, w) bool: pixels whose label is unknown, neither scored nor clicked; None where all are known.
    unknown: np.ndarray | None = None


class BadSample(HypersegError):
    """A sample that cannot be used: reported and skipped, never fatal."""


def davis_sequences(root: Path) -> list[str]:
    images = Path(root) / "JPEGImages" / "480p"
    if not images.is_dir():
        raise HypersegError(f"no DAVIS sequences under {images}: pass --data with the davis2016 folder")
    return sorted(p.name for p in images.iterdir() if p.is_dir())


def davis_samples(root: Path, sequences: Sequence[str], stride: int = 1) -> list[FrameSample]:
    """Every ``stride``-th annotated frame of each sequence, with its predecessor as X_{t-1}."""
    root = Path(root)
    samples = []
    for sequence in sequences:
        frames = sorted((root / "JPEGImages" / "480p" / sequence).glob("*.jpg"))
        for index in range(0, len(frames), stride):
            frame = frames[index]
            mask = root / "Annotations" / "480p" / sequence / f"{frame.stem}.png"
            previous = frames[max(index - 1, 0)]
            samples.append(FrameSample(f"{sequence}/{frame.stem}", frame, previous, mask))
    return samples


#: Still-photograph benchmarks as interactive-segmentation papers ship them: (images, masks) folders
#: whose files pair by stem (GrabCut's 50 photographs, then Berkeley's 100).
STILL_LAYOUTS: tuple[tuple[str, str], ...] = (("data_GT", "boundary_GT"), ("images", "masks"))
STILL_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff")


def still_samples(root: Path) -> list[FrameSample]:
    """Every photograph of a still benchmark under ``root`` with its mask (no previous frame: the
    photograph stands in as its own X_{t-1}). Masks are read as GrabCut's: 255 object, 128 unknown
    (GrabCut's band along the contour; not scored, never clicked), anything else background."""
    root = Path(root)
    for images_name, masks_name in STILL_LAYOUTS:
        images, masks = root / images_name, root / masks_name
        if images.is_dir() and masks.is_dir():
            break
    else:
        expected = " or ".join(f"{i}/ and {m}/" for i, m in STILL_LAYOUTS)
        raise HypersegError(f"no still images under {root}: expected {expected} (GrabCut's or Berkeley's layout)")

    def pictures(folder: Path) -> dict[str, Path]:
        return {p.stem: p for p in sorted(folder.iterdir()) if p.suffix.lower() in STILL_SUFFIXES}

    by_stem = pictures(masks)
    samples = [FrameSample(stem, image, image, by_stem[stem], unknown_band=True)
               for stem, image in pictures(images).items() if stem in by_stem]
    if not samples:
        raise HypersegError(f"no photograph in {images} has a mask of the same name in {masks}")
    return samples


def plate_roto_samples(plate: str, roto: str, channel: str = "A", stride: int = 1) -> list[FrameSample]:
    """A shot's plate frames with their roto alphas (any OpenImageIO format, frame patterns)."""
    plates = FramePattern(plate).frames()
    alphas = FramePattern(roto).frames()
    frames = sorted(set(plates) & set(alphas))
    samples = []
    for index in range(0, len(frames), stride):
        number = frames[index]
        previous = plates.get(number - 1, plates[number])
        samples.append(FrameSample(f"{Path(plate).name}@{number}", plates[number], previous, alphas[number], channel))
    return samples


def load_sample(sample: FrameSample, scale: float = 1.0) -> LoadedSample:
    """Frame, previous frame and mask at ``scale`` (area filter shrinking, bilinear growing); raises
    BadSample naming what is wrong."""
    try:
        rgb = read_rgb(sample.frame)
        previous = read_rgb(sample.previous)
        matte = read_image(sample.mask)
        alpha = matte.channel(sample.mask_channel) if sample.mask_channel else matte.pixels[:, :, 0]
    except HypersegError as exc:
        raise BadSample(f"{sample.name}: {exc}") from exc
    if previous.shape != rgb.shape or alpha.shape != rgb.shape[:2]:
        raise BadSample(f"{sample.name}: frame {rgb.shape[:2]}, previous {previous.shape[:2]} and mask "
                        f"{alpha.shape} differ in size")
    unknown = None
    if sample.unknown_band:
        levels = np.rint(alpha * 255)
        mask, unknown = levels > 128, levels == 128
    else:
        mask = alpha > 0.5 if sample.mask_channel else alpha > 0
    if not mask.any():
        raise BadSample(f"{sample.name}: the mask is empty")
    size = (max(1, round(rgb.shape[0] * scale)), max(1, round(rgb.shape[1] * scale)))
    resize_to = enlarge if scale > 1 else resize
    small_mask = resize_to(mask.astype(np.float32), size) > 0.5
    small_unknown = None
    if unknown is not None:
        small_unknown = resize_to(unknown.astype(np.float32), size) > 0.5
        small_mask &= ~small_unknown
    if not small_mask.any():
        raise BadSample(f"{sample.name}: the object vanishes at scale {scale}")
    return LoadedSample(resize_to(rgb, size), resize_to(previous, size), small_mask, small_unknown)


def usable_samples(samples: Sequence[FrameSample], scale: float = 1.0) -> list[tuple[FrameSample, LoadedSample]]:
    """Load every sample, reporting and skipping the bad ones on stderr."""
    loaded = []
    for sample in samples:
        try:
            loaded.append((sample, load_sample(sample, scale)))
        except BadSample as exc:
            print(f"hyperseg: skipping sample: {exc}", file=sys.stderr)
    return loaded
