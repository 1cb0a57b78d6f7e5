"""Locate the real data in ../shared/data beside the repository (or where CONTACTPUNT_SHARED_DATA points, for a
checkout elsewhere, such as a git worktree): skipped when missing, failing on CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get("CONTACTPUNT_SHARED_DATA") or Path(__file__).resolve().parents[3].parent / "shared" / "data"
)


def require(relative: str) -> Path:
    """Return the path under shared/data; skip the test (printing why) when it is missing, fail when CI=true."""
    path = SHARED_DATA / relative
    if not path.exists():
        reason = f"shared data not found: {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        print(reason)
        pytest.skip(reason)
    return path
