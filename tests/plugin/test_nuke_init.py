"""init.py puts the host install after Nuke's own packages on sys.path, never before them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

INIT = Path(__file__).resolve().parents[2] / "plugin" / "hyperseg" / "plugin" / "nuke" / "init.py"


def run_init(site: Path, nuke_packages: Path) -> list[str]:
    code = (
        "import runpy, sys\n"
        f"sys.path.insert(0, {str(nuke_packages)!r})\n"
        f"runpy.run_path({str(INIT)!r})\n"
        f"runpy.run_path({str(INIT)!r})\n"
        "import numpy\n"
        "print(numpy.__file__)\n"
        "print('\\n'.join(sys.path))\n"
    )
    env = {"HYPERSEG_SITE": str(site), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_install_does_not_shadow_nukes_packages(tmp_path):
    nuke_packages, site = tmp_path / "nuke_python", tmp_path / "hyperseg-site"
    for folder in (nuke_packages, site):
        (folder / "numpy").mkdir(parents=True)
        (folder / "numpy" / "__init__.py").write_text("")
    numpy_file, *path = run_init(site, nuke_packages)
    assert numpy_file == str(nuke_packages / "numpy" / "__init__.py")  # Nuke's numpy wins
    assert path[-1] == str(site) and path.count(str(site)) == 1  # appended once, even when run twice
