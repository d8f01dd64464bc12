"""The continuation recipes (benchmarks/recipes/continue_default*.json) compared in the README: each is
a valid training config, and each differs from the plain continuation only in the levers it names."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from hyperseg.model.training.trainer import TrainConfig, comparable

RECIPES = Path(__file__).parents[2] / "benchmarks" / "recipes"
PLAIN = "continue_default"
#: recipe -> the example fields it changes from the plain continuation.
LEVERS = {
    "continue_default_object_crops": {"object_crop_probability"},
    "continue_default_composites": {"composite_probability"},
    "continue_default_composites_crops": {"composite_probability", "object_crop_probability"},
}


def test_every_recipe_in_the_folder_is_listed():
    assert {path.stem for path in RECIPES.glob("*.json")} == {PLAIN, *LEVERS}


@pytest.mark.parametrize("name", sorted(LEVERS))
def test_a_recipe_differs_from_the_plain_continuation_only_in_its_levers(name):
    plain, recipe = (TrainConfig.from_file(RECIPES / f"{n}.json") for n in (PLAIN, name))
    plain_examples, recipe_examples = asdict(plain.examples), asdict(recipe.examples)
    changed = {key for key in plain_examples if plain_examples[key] != recipe_examples[key]}
    assert changed == LEVERS[name]
    assert {k: v for k, v in comparable(recipe).items() if k != "examples"} == {
        k: v for k, v in comparable(plain).items() if k != "examples"}
