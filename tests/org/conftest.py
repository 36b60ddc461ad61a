"""org: the shared fixtures."""

from __future__ import annotations

import pytest

from tests.conftest import make_user


@pytest.fixture
def admin(world):
    return world.grant(make_user("admin"), "admin")
