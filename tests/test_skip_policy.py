"""The skip policy in a real inner pytest run: skips fail, ``gpu`` skips pass and are listed by name."""

from __future__ import annotations

pytest_plugins = ["pytester"]

INNER = '''
import pytest

def test_runs():
    assert True

def test_skips_in_body():
    pytest.skip("data absent")

@pytest.mark.skip(reason="not today")
def test_skip_marker():
    pass

@pytest.mark.gpu
def test_needs_cuda():
    pytest.skip("no CUDA device")

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    assert False
'''


def test_skips_fail_and_gpu_skips_are_listed(pytester):
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest("-p", "skip_policy")
    result.assert_outcomes(passed=1, failed=1, errors=1, skipped=1, xfailed=1)  # a skip marker fails in setup
    result.stdout.fnmatch_lines([
        "*1 GPU test(s) skipped: no CUDA device here*",
        "test_inner.py::test_needs_cuda: no CUDA device",
    ])
    assert "only @pytest.mark.gpu may skip): data absent" in result.stdout.str()
    assert "only @pytest.mark.gpu may skip): not today" in result.stdout.str()


def test_a_module_that_skips_at_collection_fails(pytester):
    pytester.makepyfile(test_inner="import pytest\npytest.skip('no backend', allow_module_level=True)\n")
    result = pytester.runpytest("-p", "skip_policy")
    assert result.ret != 0
    assert "a skipped module fails this suite: no backend" in result.stdout.str()
