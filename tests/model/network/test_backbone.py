import pytest
import torch

from hyperseg.model.config import HYPERCOLUMN_CHANNELS
from hyperseg.model.network.backbone import (
    BACKBONE_WEIGHTS,
    HYPERCOLUMN_STRIDE,
    VGG19Hypercolumns,
    fingerprint,
    imagenet_weights_path,
    random_vgg19_state,
)
from hyperseg.protocol.errors import NotFoundError


@pytest.fixture(scope="module")
def random_backbone():
    return VGG19Hypercolumns("vgg19-random-v1")


def test_random_init_is_deterministic_and_pinned():
    """Known values of vgg19-random-v1: its fingerprint (the one the shipped checkpoint was trained
    with), the first weights of conv1_1 and the statistics of conv1_2 (He-uniform, bound sqrt(6/576))."""
    a, b = random_vgg19_state(20201), random_vgg19_state(20201)
    assert fingerprint(a) == fingerprint(b) == "e74a6908e7c9782f"
    assert fingerprint(random_vgg19_state(7)) != fingerprint(a)
    assert a["0.weight"].flatten()[:3].tolist() == pytest.approx([0.08183071, -0.36195776, -0.43333307], rel=1e-6)
    conv1_2 = a["2.weight"].double()
    assert conv1_2.abs().max().item() == pytest.approx(0.10206160, rel=1e-6)
    assert conv1_2.std().item() == pytest.approx(0.05878854, rel=1e-6)
    assert conv1_2.mean().item() == pytest.approx(0.00018424, rel=1e-4)
    assert not a["2.bias"].any()


@pytest.mark.parametrize("name", sorted(BACKBONE_WEIGHTS))
def test_every_registered_backbone_is_described(name):
    weights = BACKBONE_WEIGHTS[name]
    assert weights.description and weights.name == name
    assert weights.pretrained == (weights.filename is not None)


def test_hypercolumn_layers_and_strides(random_backbone):
    maps = random_backbone(torch.rand(2, 3, 224, 224))
    for m, (layer, channels) in zip(maps, HYPERCOLUMN_CHANNELS.items(), strict=True):
        assert m.shape == (2, channels, 224 // HYPERCOLUMN_STRIDE[layer], 224 // HYPERCOLUMN_STRIDE[layer])
        assert (m >= 0).all()  # post-ReLU
    assert random_backbone.fingerprint == "e74a6908e7c9782f"
    assert "NOT ImageNet" in random_backbone.weights.description


def test_missing_imagenet_weights_say_where_they_were_looked_for(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.delenv("HYPERSEG_VGG19_WEIGHTS", raising=False)
    with pytest.raises(NotFoundError, match=r"vgg19-dcbb9e9d\.pth"):
        imagenet_weights_path(BACKBONE_WEIGHTS["vgg19-imagenet"])


def test_imagenet_weights_load_from_torch_cache(tmp_path, monkeypatch):
    """A file in torchvision's layout in the standard cache is found and used (no download)."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    state = {f"features.{k}": v for k, v in random_vgg19_state(5).items()}
    state["classifier.0.weight"] = torch.zeros(2, 2)
    (tmp_path / "hub" / "checkpoints").mkdir(parents=True)
    torch.save(state, tmp_path / "hub" / "checkpoints" / "vgg19-dcbb9e9d.pth")
    backbone = VGG19Hypercolumns("vgg19-imagenet")
    assert backbone.fingerprint == fingerprint(random_vgg19_state(5))
    assert backbone.weights.pretrained


def test_tuned_first_convs_travel_as_their_own_state_and_change_the_fingerprint():
    tuned = VGG19Hypercolumns("vgg19-random-v1")
    parameters = tuned.tune_first_convs(2)
    assert [p.shape for p in parameters] == [(64, 3, 3, 3), (64,), (64, 64, 3, 3), (64,)]
    assert all(p.requires_grad for p in parameters)
    assert not tuned.features[5].weight.requires_grad  # conv2_1 stays frozen
    with torch.no_grad():
        parameters[0].add_(0.01)
    assert tuned.fingerprint == tuned.base_fingerprint  # until asked: hashing 80 MB is not free per step
    assert tuned.refresh_fingerprint() != tuned.base_fingerprint
    assert "conv1_1..conv1_2 trained" in tuned.describe() and tuned.base_fingerprint in tuned.describe()

    state = tuned.tuned_state()
    assert sorted(state) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    fresh = VGG19Hypercolumns("vgg19-random-v1")
    fresh.load_tuned(state)
    assert (fresh.tuned_convs, fresh.fingerprint) == (2, tuned.fingerprint)
    tiles = torch.rand(1, 3, 32, 32)
    for a, b in zip(fresh(tiles), tuned(tiles), strict=True):
        assert torch.equal(a, b)


def test_tuned_layers_must_be_the_first_convolutions():
    backbone = VGG19Hypercolumns("vgg19-random-v1")
    conv2_1 = {key: value for key, value in backbone.features.state_dict().items() if key.startswith("5.")}
    with pytest.raises(ValueError, match="first 1 convolutions"):
        backbone.load_tuned(conv2_1)
    with pytest.raises(ValueError, match="14 convolutions"):
        backbone.tune_first_convs(15)
