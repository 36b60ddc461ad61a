"""Two desks, one turn (CHECKLIST: races on anything limited): walk-ins taken at the same
instant through the API, on the real database of the run (WAL SQLite or PostgreSQL). Each
turn goes to one consultant once; when fewer are free than visitors, the rest get a clear
409 and nothing is written for them."""

from __future__ import annotations

from collections import Counter

import pytest
from django.urls import reverse

from anchang.assignment.models import DutyEntry, RotationDay, TurnEntry
from anchang.org.models import Role
from anchang.org.services import membership_grant
from tests.assignment.helpers import reception
from tests.conftest import make_user
from tests.deals.test_opening_race import _race

DESKS = 10


def _desks(world, r, n):
    desks = [r.desk]
    for i in range(1, n):
        user = make_user(f"desk{i}", f"前台{i}")
        membership_grant(user=user, role=Role.CLERK, company=world.company, project=r.project)
        desks.append(user)
    return desks


def _take(r):
    def call(client, i):
        body = {"project": r.project.pk, "visitor": f"访客{i}", "idempotency_key": f"k{i}"}
        return client.post(reverse("api:reception-walk-in"), body, format="json")

    return call


@pytest.mark.django_db(transaction=True)
def test_two_desks_one_free_consultant_one_turn(world):
    r = reception(world, extra=0)
    r.sign_in(r.consultants[0])
    results = _race(_desks(world, r, 2), _take(r))
    statuses = sorted(status for status, _ in results)
    assert statuses == [201, 409], results
    assert [body["code"] for status, body in results if status == 409] == ["nobody_free"]
    assert TurnEntry.objects.count() == 1
    assert DutyEntry.objects.get(consultant=r.consultants[0]).received == 1


@pytest.mark.django_db(transaction=True)
def test_ten_desks_at_once_hand_ten_turns_to_ten_consultants(world):
    r = reception(world, extra=DESKS - 2)
    r.sign_in()
    results = _race(_desks(world, r, DESKS), _take(r))
    assert sorted(status for status, _ in results) == [201] * DESKS, results
    receivers = Counter(body["entry"]["consultant"] for _, body in results)
    assert set(receivers.values()) == {1} and len(receivers) == DESKS
    seqs = sorted(TurnEntry.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, DESKS + 1))
    assert RotationDay.objects.get(project=r.project).seq == DESKS
    assert set(DutyEntry.objects.values_list("received", flat=True)) == {1}
