"""Shared test helpers. ../shared/data is read in place, never copied into the project.

Outside CI a missing ../shared skips the tests that need it; with CI set it is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("RESOLVER_SHARED_DATA", ROOT.parent / "shared" / "data"))
IN_CI = bool(os.environ.get("CI"))


def shared_file(relative: str) -> Path:
    """Path of a development data file in ../shared/data; skip (or fail in CI) when it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        message = f"development data {path} is absent (expected ../shared beside the checkout)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path
