"""pyproject's package-data names only folders and files that exist, in packages that exist."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
PACKAGE_DATA = [(package, pattern) for package, patterns in SETUPTOOLS["package-data"].items() for pattern in patterns]


def package_folder(package: str) -> Path:
    """The folder of ``package`` under the first of packages.find's ``where`` roots that holds it."""
    relative = Path(*package.split("."))
    for root in SETUPTOOLS["packages"]["find"]["where"]:
        if (ROOT / root / relative).is_dir():
            return ROOT / root / relative
    raise AssertionError(f"package-data names {package}, which no packages.find root holds")


@pytest.mark.parametrize(("package", "pattern"), PACKAGE_DATA)
def test_every_package_data_pattern_matches_files(package, pattern):
    matches = [p for p in package_folder(package).glob(pattern) if p.is_file()]
    assert matches, f"package-data {package!r}: {pattern!r} matches no file"


def test_the_shipped_checkpoint_and_train_configs_are_package_data():
    model = package_folder("hyperseg.model")
    shipped = {p.relative_to(model).as_posix() for _, pattern in PACKAGE_DATA for p in model.glob(pattern)}
    assert {"checkpoints/default.pt", "train_configs/default.json"} <= shipped
