"""followups/revisits: the shared fixtures."""

from __future__ import annotations

import pytest

from anchang.org.models import Role
from anchang.org.services import membership_grant
from tests.conftest import make_user


@pytest.fixture
def team(world):
    """p1: a manager, consultants c1 (3 customers named 王…, 1 named 李…) and c2 (2 王…);
    p2 has a customer named 王 too, which no p1 plan may reach."""
    c1, c2 = world.consultants["p1"]
    manager = world.grant(make_user("rv-mgr", "经理甲"), Role.MANAGER)
    mine = [world.customer(world.p1, c1, f"王{i}") for i in "一二三"]
    other = world.customer(world.p1, c1, "李四")
    theirs = [world.customer(world.p1, c2, f"王{i}") for i in "五六"]
    world.customer(world.p2, world.consultants["p2"][0], "王七")
    return world, manager, c1, c2, mine, other, theirs


@pytest.fixture
def other_manager(world):
    user = make_user("rv-mgr-p2")
    membership_grant(user=user, role=Role.MANAGER, company=world.company, project=world.p2)
    return user
