"""The test suite's skip policy: a skipped test fails the run, except one marked ``gpu``.

A skip hides a test that did not run, so every skip (at collection, in setup or in the test) is
reported as a failure naming its reason. Tests marked ``@pytest.mark.gpu`` may skip where no GPU
is present; they are listed by name at the end of the run so CI's output says what did not run.
"""

from __future__ import annotations

import pytest

GPU_SKIPS_KEY = pytest.StashKey[list[str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "gpu: needs a CUDA device; the one kind of test allowed to skip")
    config.stash[GPU_SKIPS_KEY] = []


def _skip_reason(report: pytest.CollectReport | pytest.TestReport) -> str:
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return text.removeprefix("Skipped: ")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    if item.get_closest_marker("gpu") is not None:
        item.config.stash[GPU_SKIPS_KEY].append(f"{item.nodeid}: {_skip_reason(report)}")
        return
    report.outcome = "failed"
    report.longrepr = f"skipped tests fail this suite (only @pytest.mark.gpu may skip): {_skip_reason(report)}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    outcome = yield
    report: pytest.CollectReport = outcome.get_result()
    if report.skipped:
        report.outcome = "failed"
        report.longrepr = f"a skipped module fails this suite: {_skip_reason(report)}"


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    skipped = config.stash[GPU_SKIPS_KEY]
    if skipped:
        terminalreporter.section(f"{len(skipped)} GPU test(s) skipped: no CUDA device here")
        for line in skipped:
            terminalreporter.write_line(line)
