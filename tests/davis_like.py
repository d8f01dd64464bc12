"""A DAVIS 2016-layout folder of synthetic frames, for tests that read sequences the way training does."""

import numpy as np

from hyperseg.imageio import write_image


def write_davis_like(root, sequences=("alpha", "beta"), frames=4, size=(48, 64), seed=0):
    """A DAVIS-layout folder of synthetic frames: a bright moving disk on a noisy background."""
    rng = np.random.default_rng(seed)
    h, w = size
    yy, xx = np.mgrid[0:h, 0:w]
    for s, name in enumerate(sequences):
        (root / "JPEGImages" / "480p" / name).mkdir(parents=True)
        (root / "Annotations" / "480p" / name).mkdir(parents=True)
        for f in range(frames):
            cy, cx, r = h / 2 + s, w / 3 + 2 * f, h / 4
            mask = (yy - cy) ** 2 + (xx - cx) ** 2 <= r**2
            rgb = rng.uniform(0, 0.3, (h, w, 3))
            rgb[mask] = [0.9, 0.6 + 0.1 * s, 0.2]
            stem = f"{f:05d}"
            write_image(root / "JPEGImages" / "480p" / name / f"{stem}.jpg", rgb.astype(np.float32), ("R", "G", "B"))
            matte = mask[:, :, None].astype(np.float32)
            write_image(root / "Annotations" / "480p" / name / f"{stem}.png", matte, ("Y",))
    return root
