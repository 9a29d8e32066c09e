"""Shared pytest fixtures. Fixture paths are resolved from this file, never the working dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
#: ../shared beside the checkout (present for developers and CI, absent on a plain clone).
SHARED = Path(os.environ.get("FVM_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return TESTS / "data"


@pytest.fixture(scope="session")
def shared_real() -> Path:
    """``../shared/real``; tests using it skip cleanly where it is absent."""
    real = SHARED / "real"
    if not real.is_dir():
        pytest.skip("../shared/real is not available on this machine")
    return real
