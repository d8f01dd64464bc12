"""What each distribution carries: the host install (the repository root's ``hyperseg``, a compositor's
Python) no model files and no torch-only code; ``hyperseg-model`` (model/) the checkpoint and configs.

The wheels are built for real (setuptools, the pinned grpcio-tools; no index needed) from a copy of
the folders each pyproject names, and their file lists are read.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOST = tomllib.loads((ROOT / "pyproject.toml").read_text())
MODEL = tomllib.loads((ROOT / "model" / "pyproject.toml").read_text())
MODEL_PACKAGE_DATA = [
    (package, pattern)
    for package, patterns in MODEL["tool"]["setuptools"]["package-data"].items()
    for pattern in patterns
]
#: Third-party modules only the model needs (hyperseg-model's dependencies): none may be imported
#: by a module of the host wheel.
MODEL_ONLY_MODULES = ("torch", "torchvision", "tensorly", "scipy", "skimage", "cv2", "matplotlib")
GENERATED = "build/generated"


def build_wheel(project: Path, out: Path) -> zipfile.ZipFile:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--wheel-dir", str(out), str(project)],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    return zipfile.ZipFile(wheel)


def imported_modules(source: str) -> set[str]:
    """The top-level names of every module ``source`` imports, at any depth (lazy imports too)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.fixture(scope="module")
def host_wheel(tmp_path_factory) -> zipfile.ZipFile:
    """The host wheel, built from a copy of what the root pyproject names (its package roots, protos)."""
    project = tmp_path_factory.mktemp("host-project")
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, project / name)
    roots = [r for r in HOST["tool"]["setuptools"]["packages"]["find"]["where"] if r != GENERATED]
    for folder in [*roots, "protos"]:
        shutil.copytree(ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return build_wheel(project, tmp_path_factory.mktemp("host-wheel"))


@pytest.mark.slow
def test_the_host_wheel_carries_no_model_files_and_no_model_code(host_wheel):
    names = host_wheel.namelist()
    assert "hyperseg/plugin/client.py" in names and "hyperseg/v1/hyperseg_pb2_grpc.py" in names
    assert [n for n in names if n.endswith((".pt", ".pth", ".ckpt"))] == []
    assert [n for n in names if n.startswith("hyperseg/model/")] == []
    importing = {
        name: sorted(imported_modules(host_wheel.read(name).decode()) & set(MODEL_ONLY_MODULES))
        for name in names if name.endswith(".py")
    }
    assert {name: found for name, found in importing.items() if found} == {}


@pytest.mark.slow
def test_the_host_wheel_requires_no_model_packages(host_wheel):
    (metadata,) = [n for n in host_wheel.namelist() if n.endswith(".dist-info/METADATA")]
    requires = [line for line in host_wheel.read(metadata).decode().splitlines() if line.startswith("Requires-Dist:")]
    unconditional = [line for line in requires if "extra ==" not in line]
    assert unconditional and not [line for line in unconditional if any(m in line for m in ("torch", "hyperseg-model"))]
    assert any("hyperseg-model" in line and "extra == \"server\"" in line for line in requires)


@pytest.mark.slow
def test_the_model_wheel_carries_the_checkpoint_and_train_configs_only(tmp_path):
    project = tmp_path / "model"
    shutil.copytree(ROOT / "model", project, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    names = build_wheel(project, tmp_path / "wheel").namelist()
    assert {"hyperseg/model/checkpoints/default.pt", "hyperseg/model/train_configs/default.json",
            "hyperseg/model/predictor.py"} <= set(names)
    assert [n for n in names if n.startswith("hyperseg/") and not n.startswith("hyperseg/model/")] == []
    assert [n for n in names if n.endswith((".png", ".jsonl", ".md"))] == []


@pytest.mark.parametrize(("package", "pattern"), MODEL_PACKAGE_DATA)
def test_every_package_data_pattern_matches_files(package, pattern):
    folder = ROOT / "model" / Path(*package.split("."))
    assert [p for p in folder.glob(pattern) if p.is_file()], f"package-data {package!r}: {pattern!r} matches no file"
