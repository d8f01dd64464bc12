"""Inference imports nothing from training or evaluation; protocol needs only image I/O beside it."""

import subprocess
import sys

import pytest


def loaded_by(module: str) -> list[str]:
    code = f"import sys, {module}; print('\\n'.join(m for m in sys.modules if m.startswith('hyperseg')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_predictor_loads_no_training_or_evaluation_code():
    loaded = loaded_by("hyperseg.model.predictor")
    assert "hyperseg.model.predictor" in loaded
    assert [m for m in loaded if ".training" in m or ".evaluation" in m] == []


@pytest.mark.parametrize("module", ["hyperseg.protocol.errors", "hyperseg.protocol.clicks", "hyperseg.protocol.proxy",
                                    "hyperseg.protocol.status_codes", "hyperseg.protocol.clicktracks"])
def test_protocol_stands_alone(module):
    allowed = ("hyperseg.protocol", "hyperseg.imageio")
    assert [m for m in loaded_by(module) if m != "hyperseg" and not m.startswith(allowed)] == []
