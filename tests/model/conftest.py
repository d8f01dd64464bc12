import cv2
import numpy as np
import pytest

from hyperseg.imageio import write_image
from hyperseg.model.config import ModelConfig
from hyperseg.model.network.hyperseg_net import HyperSegNet


@pytest.fixture(scope="session")
def tiny_model() -> HyperSegNet:
    """A tiny-config network with random orthonormal Tucker factors (built once: VGG init costs ~1 s)."""
    import torch

    torch.manual_seed(0)
    model = HyperSegNet(ModelConfig.tiny())
    model.compressor.randomize(0)
    return model.eval()


def write_stills_like(root, layout=("data_GT", "boundary_GT"), count=2, size=(40, 56), seed=0):
    """A still benchmark's folder in GrabCut's layout: photographs of a bright disk on noise and BMP
    masks of 255 inside, 128 on a 2-pixel band along the disk's edge (unknown), 0 outside."""
    rng = np.random.default_rng(seed)
    h, w = size
    yy, xx = np.mgrid[0:h, 0:w]
    images, masks = root / layout[0], root / layout[1]
    images.mkdir(parents=True)
    masks.mkdir(parents=True)
    for index in range(count):
        distance = np.hypot(yy - h / 2, xx - w / 3 - 3 * index) - h / 4
        rgb = rng.uniform(0, 0.3, (h, w, 3))
        rgb[distance <= 0] = [0.9, 0.6, 0.2]
        matte = np.where(distance <= -1, 255, np.where(distance <= 1, 128, 0)).astype(np.uint8)
        write_image(images / f"photo{index}.jpg", rgb.astype(np.float32), ("R", "G", "B"))
        cv2.imwrite(str(masks / f"photo{index}.bmp"), matte)  # GrabCut's masks are 8-bit BMPs
    return root
