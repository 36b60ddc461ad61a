"""The deals section of the permission matrix (anchang/permissions.yaml `deals:`), generated:
every role × deal action × relation of a deal, through the decision for a row in hand
(`policies.may`/`can_deal`), the database filter (`deals_for`) and, for view, the API door
(404 for a deal the role may not read)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anchang import permissions
from anchang.deals import policies, selectors
from anchang.deals.models import Unit
from tests.conftest import make_user, world_layer
from tests.deals.helpers import building, office, subscribe, vehicle

MATRIX = permissions.matrix()
ROLES = list(MATRIX["roles"])
ACTIONS = MATRIX["deal_actions"]
RELATIONS = MATRIX["deal_relations"]


def test_every_role_has_every_deal_action():
    for role in ROLES:
        for action in ACTIONS:
            assert action in MATRIX["deals"][role], (role, action)


def _setup(world, role):
    """The actor (held where its scope is) and one deal per relation: its own (credited to
    it, or dispatched to it), the rest of p1, p2 (same region), p3 (another region)."""
    actor = world.grant(make_user(f"deal-actor-{role}"), role)
    p1 = office(world, "p1")
    unit = Unit.objects.get(building=building(p1, name=f"B{role}"), floor=1, position=1)
    own = subscribe(world, p1, unit, method="full", deposit="1000")
    own.__class__.objects.filter(pk=own.pk).update(consultant=actor)
    rest = subscribe(world, p1, Unit.objects.get(building__name=f"B{role}", floor=1, position=2),
                     method="full", deposit="1000")  # fmt: skip
    p2 = office(world, "p2")
    other_project = subscribe(world, p2, None, method="full", deposit="1000")
    p3 = office(world, "p3")
    other_region = subscribe(world, p3, vehicle(p3, code=f"V{role}"), method="full",
                             deposit="1000")  # fmt: skip
    deals = {"own": own, "same_project": rest, "other_project": other_project,
             "other_region": other_region}  # fmt: skip
    for deal in deals.values():
        deal.refresh_from_db()
    return actor, deals


@world_layer("role")
def deal_setup(world, role):
    return _setup(world, role)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_the_matrix_cell_holds_for_a_row_and_the_filter(world, deal_setup, role, action):
    actor, deals = deal_setup
    allowed = permissions.deal_relations(role, action)
    listed = set(selectors.deals_for(actor, action).values_list("pk", flat=True))
    for relation, deal in deals.items():
        expected = relation in allowed
        assert policies.can_deal(actor, action, deal) == expected, (role, action, relation)
        assert (deal.pk in listed) == expected, (role, action, relation)


@pytest.mark.parametrize("role", ROLES)
def test_a_deal_a_role_may_not_read_is_not_found_through_the_api(
    world, deal_setup, api_client, role
):
    actor, deals = deal_setup
    api_client.force_authenticate(actor)
    allowed = permissions.deal_relations(role, "view")
    for relation, deal in deals.items():
        status = api_client.get(reverse("api:deal", args=[deal.pk])).status_code
        assert status == (200 if relation in allowed else 404), (role, relation, status)
