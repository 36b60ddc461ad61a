"""pool: the shared fixtures."""

from __future__ import annotations

import pytest

from tests.pool.helpers import START, Clock


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, START)
