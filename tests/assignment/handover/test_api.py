"""Assignment and handover through the API: the queue, lapsed customers, a bulk assignment,
a handover's preview then the handover; hostile bodies and ids answered in the one error
shape with nothing moved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anchang.api.serializers import ID_MAX
from anchang.customers.models import Customer
from tests.assignment.handover.test_services import _office, _owned, _owners, _unowned
from tests.deals.test_api import _error


def _post(api, name, body):
    return api.post(reverse(name), body, format="json")


def test_the_queue_is_assigned_through_the_api(world, api_client):
    project, manager, (a, b, _c, _d) = _office(world)
    waiting = _unowned(world, project, 4)
    api_client.force_authenticate(manager)
    queue = api_client.get(reverse("api:assignment-queue"), {"project": project.pk}).json()
    assert [r["id"] for r in queue] == [c.pk for c in waiting]
    assert all("****" in r["phone"] for r in queue)
    body = {"project": project.pk, "customers": [c.pk for c in waiting], "to": [a.pk, b.pk],
            "how": "round_robin", "reason": "线上线索"}  # fmt: skip
    answer = _post(api_client, "api:assignment-assign", body)
    assert answer.status_code == 200, answer.content
    first, second = [waiting[0].pk, waiting[2].pk], [waiting[1].pk, waiting[3].pk]
    assert answer.json()["moved"] == 4
    assert answer.json()["to"] == {str(a.pk): first, str(b.pk): second}
    assert api_client.get(reverse("api:assignment-queue"), {"project": project.pk}).json() == []


def test_a_handover_previews_then_moves(world, api_client):
    project, manager, (a, b, c, leaver) = _office(world)
    _owned(world, project, leaver, 30)
    api_client.force_authenticate(manager)
    body = {"project": project.pk, "leaver": leaver.pk, "to": [a.pk, b.pk, c.pk],
            "reason": "离职交接", "preview": True}  # fmt: skip
    before = _owners()
    preview = _post(api_client, "api:assignment-handover", body).json()
    assert preview["preview"] and preview["moved"] == 30 and _owners() == before
    done = _post(api_client, "api:assignment-handover", {**body, "preview": False}).json()
    assert done["moved"] == 30 and not Customer.objects.filter(owner=leaver).exists()
    again = _post(api_client, "api:assignment-handover", {**body, "preview": False})
    assert _error(again, 400, "nothing_to_hand_over")


BAD = [
    {"to": []},
    {"to": [0]},
    {"to": [ID_MAX + 1]},
    {"to": ["١"]},
    {"to": "1"},
    {"reason": ""},
    {"reason": "x" * 2001},
    {"how": "random"},
    {"customers": []},
    {"customers": [ID_MAX]},
    {"customers": [1.5]},
    {"project": "p1"},
    {"over_cap": ["x"]},
]


@pytest.mark.parametrize("change", BAD)
def test_a_bad_assignment_body_is_400_and_nothing_moves(world, api_client, change):
    project, manager, (a, *_rest) = _office(world)
    waiting = _unowned(world, project, 2)
    api_client.force_authenticate(manager)
    body = {"project": project.pk, "customers": [c.pk for c in waiting], "to": [a.pk],
            "reason": "分配", **change}  # fmt: skip
    before = _owners()
    _error(_post(api_client, "api:assignment-assign", body), (400, 404))
    assert _owners() == before


def test_another_projects_customer_is_refused_like_an_unknown_id(world, api_client):
    project, manager, (a, *_rest) = _office(world)
    theirs = world.customer(world.p3, world.consultants["p3"][0], "别人的客户")
    api_client.force_authenticate(manager)
    answers = [
        _error(_post(api_client, "api:assignment-assign", {
            "project": project.pk, "customers": [pk], "to": [a.pk], "reason": "分配"}), 400)
        for pk in (theirs.pk, ID_MAX)
    ]  # fmt: skip
    assert answers[0] == answers[1]
    assert Customer.objects.get(pk=theirs.pk).owner_id == world.consultants["p3"][0].pk


def test_a_consultant_cannot_reach_the_assignment_api(world, api_client):
    project, _manager, (a, b, *_rest) = _office(world)
    waiting = _unowned(world, project, 1)
    api_client.force_authenticate(a)
    _error(api_client.get(reverse("api:assignment-queue"), {"project": project.pk}), 404)
    _error(
        _post(
            api_client,
            "api:assignment-assign",
            {"project": project.pk, "customers": [waiting[0].pk], "to": [b.pk], "reason": "x"},
        ),
        404,
    )


@pytest.mark.parametrize("value", ["abc", "5", "-7", "７", "9" * 30, ""])
def test_bad_lapsed_days_are_400(world, api_client, value):
    project, manager, _people = _office(world)
    api_client.force_authenticate(manager)
    response = api_client.get(reverse("api:assignment-lapsed"),
                              {"project": project.pk, "days": value})  # fmt: skip
    assert response.status_code == (200 if value == "" else 400)
    bad_owner = api_client.get(reverse("api:assignment-lapsed"),
                               {"project": project.pk, "owner": value or "x"})  # fmt: skip
    assert bad_owner.status_code in (200, 400)
