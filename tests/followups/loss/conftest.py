"""followups/loss: the shared fixtures."""

from __future__ import annotations

import pytest

from tests.conftest import make_user


@pytest.fixture
def setup(world):
    c1 = world.consultants["p1"][0]
    customer = world.register(c1).customer
    manager = world.grant(make_user("loss-mgr"), "manager")
    return world, c1, customer, manager
