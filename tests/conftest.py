"""Shared test fixtures.

Real recorded exchange data lives outside the repo, in ``../shared/data`` next to the checkout
(CI has it there too). Tests that need it take the ``shared_data`` fixture and are skipped, with
the reason, when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"recorded exchange data not found at {SHARED_DATA} (../shared/data)")
    return SHARED_DATA
