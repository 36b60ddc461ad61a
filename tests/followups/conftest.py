"""followups: the shared fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture
def c1(world):
    return world.consultants["p1"][0]


@pytest.fixture
def customer(world, c1):
    return world.register(c1).customer
