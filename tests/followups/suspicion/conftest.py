"""followups/suspicion: the shared fixtures."""

from __future__ import annotations

import pytest

from anchang.followups.services import followup_record
from tests.conftest import make_user
from tests.followups.suspicion.helpers import (
    GENUINE,
    OTHER_GENUINE,
    PASTED,
    detect,
)


@pytest.fixture
def office(world):
    """Consultant c1 of p1 pastes one text onto two customers and writes one real record."""
    c1 = world.consultants["p1"][0]
    wang = world.customer(world.p1, c1, "王先生")
    li = world.customer(world.p1, c1, "李女士")
    chen = world.customer(world.p1, c1, "陈女士")
    original = followup_record(actor=c1, customer=wang, kind="phone", content=GENUINE)
    pasted = followup_record(actor=c1, customer=li, kind="phone", content=PASTED)
    genuine = followup_record(actor=c1, customer=chen, kind="visit", content=OTHER_GENUINE)
    manager = world.grant(make_user("sus-mgr", "郑经理"), "manager")
    detect()
    return world, manager, (wang, li, chen), (original, pasted, genuine)
