"""The continuation recipes (benchmarks/recipes/continue_default*.json) compared in the README: each is
a valid training config, and each differs from the plain continuation only in the levers it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from hyperseg.model.training.trainer import TrainConfig, comparable

RECIPES = Path(__file__).parents[2] / "benchmarks" / "recipes"
PLAIN = "continue_default"
#: recipe -> the settings it changes from the plain continuation ("examples.x" for example fields).
LEVERS = {
    "continue_default_object_crops": {"examples.object_crop_probability"},
    "continue_default_composites": {"examples.composite_probability"},
    "continue_default_composites_crops": {"examples.composite_probability", "examples.object_crop_probability"},
    "continue_default_backbone": {"backbone_convs"},
    "continue_default_composites_scales": {"examples.composite_probability", "extra_scales"},
}


def settings(config: TrainConfig) -> dict:
    """The settings a resumed run must share, nested ones flattened to "examples.x" and "loss.x"."""
    flat = {}
    for key, value in comparable(config).items():
        if isinstance(value, dict):
            flat.update({f"{key}.{inner}": v for inner, v in value.items()})
        else:
            flat[key] = value
    return flat


def test_every_recipe_in_the_folder_is_listed():
    assert {path.stem for path in RECIPES.glob("*.json")} == {PLAIN, *LEVERS}


@pytest.mark.parametrize("name", sorted(LEVERS))
def test_a_recipe_differs_from_the_plain_continuation_only_in_its_levers(name):
    plain, recipe = (settings(TrainConfig.from_file(RECIPES / f"{n}.json")) for n in (PLAIN, name))
    assert {key for key in plain if plain[key] != recipe[key]} == LEVERS[name]
