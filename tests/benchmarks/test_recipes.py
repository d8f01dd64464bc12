"""The training recipes of benchmarks/recipes compared in docs/tuning.md: each is a valid training config,
and each differs from the recipe it varies (the plain continuation, or the bundled default's own) only in
the levers it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from hyperseg.model.data import HELD_OUT_SEQUENCES
from hyperseg.model.training.trainer import TrainConfig, comparable

ROOT = Path(__file__).parents[2]
RECIPES = ROOT / "benchmarks" / "recipes"
PLAIN = "continue_default"
#: recipe -> the settings it changes from the plain continuation ("examples.x" for example fields).
LEVERS = {
    "continue_default_object_crops": {"examples.object_crop_probability"},
    "continue_default_composites": {"examples.composite_probability"},
    "continue_default_composites_crops": {"examples.composite_probability", "examples.object_crop_probability"},
    "continue_default_backbone": {"backbone_convs"},
    "continue_default_composites_scales": {"examples.composite_probability", "extra_scales"},
    "continue_default_previous_mask": {"model", "trainable", "lr"},
    "continue_default_previous_mask_all": {"model", "lr"},
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


#: recipes trained from scratch -> the settings they change from the bundled default's recipe (beside
#: its length, which a run may change anyway).
FROM_SCRATCH = {
    "default_without_articulated": {"validation"},
    "default_object_crops": {"examples.object_crop_probability"},
    "default_composites": {"examples.composite_probability"},
    "default_previous_mask": {"model"},
}
DEFAULT_RECIPE = ROOT / "model" / "hyperseg" / "model" / "train_configs" / "default.json"


def test_every_recipe_in_the_folder_is_listed():
    assert {path.stem for path in RECIPES.glob("*.json")} == {PLAIN, *LEVERS, *FROM_SCRATCH}


@pytest.mark.parametrize("name", sorted(FROM_SCRATCH))
def test_a_from_scratch_recipe_differs_from_the_defaults_only_in_its_levers(name):
    default, recipe = (settings(TrainConfig.from_file(path)) for path in (DEFAULT_RECIPE, RECIPES / f"{name}.json"))
    assert {key for key in default if default[key] != recipe[key]} == FROM_SCRATCH[name]


def test_the_wider_tuning_split_holds_out_four_articulated_train_sequences_more():
    recipe = TrainConfig.from_file(RECIPES / "default_without_articulated.json")
    held_out = recipe.validation
    assert recipe.steps == 650
    assert set(HELD_OUT_SEQUENCES) <= set(held_out)
    assert sorted(set(held_out) - set(HELD_OUT_SEQUENCES)) == ["dance-jump", "dog-agility", "flamingo", "tennis"]


@pytest.mark.parametrize("name", sorted(LEVERS))
def test_a_recipe_differs_from_the_plain_continuation_only_in_its_levers(name):
    plain, recipe = (settings(TrainConfig.from_file(RECIPES / f"{n}.json")) for n in (PLAIN, name))
    assert {key for key in plain if plain[key] != recipe[key]} == LEVERS[name]
