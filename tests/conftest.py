"""Suite-wide: the skip policy (tests/skip_policy.py) and the DAVIS 2016 data the CI clone has beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

import hyperseg.protocol  # noqa: F401  (first: every HyperSeg process has gRPC's fork rule, the tests too)

pytest_plugins = ["skip_policy"]

DAVIS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "davis2016"


@pytest.fixture(scope="session")
def davis() -> Path:
    """The DAVIS 2016 folder at ../shared/data/davis2016; a test that needs it fails when it is absent."""
    if not (DAVIS / "JPEGImages" / "480p").is_dir():
        pytest.fail(f"DAVIS 2016 not found at {DAVIS}: shared/ must sit beside the repository (CI lays it there)",
                    pytrace=False)
    return DAVIS
