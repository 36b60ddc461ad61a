"""followups/reviews: the shared fixtures."""

from __future__ import annotations

import pytest

from anchang.org.models import Role
from anchang.org.services import membership_grant
from tests.conftest import make_user
from tests.followups.reviews.helpers import record


@pytest.fixture
def team(world):
    """p1: consultants c1, c2 and managers m1, m2; p2: manager m_other."""
    c1, c2 = world.consultants["p1"]
    m1 = world.grant(make_user("rv-m1", "王经理"), "manager")
    m2 = world.grant(make_user("rv-m2", "李经理"), "manager")
    m_other = make_user("rv-m3", "赵经理")
    membership_grant(user=m_other, role=Role.MANAGER, company=world.company, project=world.p2)
    return world, c1, c2, m1, m2, m_other


@pytest.fixture
def fu(team):
    world, c1, *_ = team
    return record(c1, world.register(c1, name="陈女士").customer)
