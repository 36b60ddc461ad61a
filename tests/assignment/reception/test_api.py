"""Reception through the API: the desk, walk-ins in turn, a returning customer, sign-in,
duty states, skips, the ledger and fairness; every refusal in the one error shape with
nothing changed, and phones masked to whoever did not receive the visitor."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anchang.api.serializers import ID_MAX
from anchang.assignment.models import DutyEntry, RotationDay, TurnEntry
from tests.assignment.helpers import reception
from tests.deals.test_api import _error


def _state():
    return {
        "duty": list(DutyEntry.objects.order_by("pk").values_list(
            "pk", "status", "owed", "received", "version", "slot_start")),
        "turns": list(TurnEntry.objects.order_by("pk").values_list("pk", "kind")),
        "days": list(RotationDay.objects.values_list("pk", "seq", "pointer_id")),
    }  # fmt: skip


def _post(api, name, body, *args):
    return api.post(reverse(name, args=args), body, format="json")


def test_the_desk_takes_three_walk_ins_in_turn_through_the_api(world, api_client):
    r = reception(world)
    a, b, c = r.consultants
    known = world.customer(r.project, c, "老客户")
    for person in (a, b):
        api_client.force_authenticate(person)
        assert (
            _post(api_client, "api:reception-sign-in", {"project": r.project.pk}).status_code == 201
        )
    api_client.force_authenticate(r.desk)
    desk = api_client.get(reverse("api:reception"), {"project": r.project.pk}).json()
    assert [e["consultant"] for e in desk["roster"]] == [a.pk, b.pk]
    assert desk["next_up"]["consultant"] == a.pk
    body = {"project": r.project.pk, "visitor": "王先生", "phone": "138 0013 8000"}
    first = _post(api_client, "api:reception-walk-in", body)
    assert first.status_code == 201, first.content
    assert first.json()["entry"]["kind"] == "turn" and first.json()["entry"]["consultant"] == a.pk
    assert first.json()["entry"]["phone"] == "138****8000"  # the desk sees it masked
    standin = _post(api_client, "api:reception-walk-in",
                    {"project": r.project.pk, "phone": known.phone})  # fmt: skip
    assert standin.json()["entry"]["kind"] == "stand_in"
    assert (
        standin.json()["entry"]["owner"] == c.pk and standin.json()["entry"]["consultant"] == b.pk
    )
    # nobody is free now
    _error(_post(api_client, "api:reception-walk-in", {"project": r.project.pk}), 409,
           "nobody_free")  # fmt: skip
    # the receiver sees the new visitor's number in full on My day
    api_client.force_authenticate(a)
    mine = api_client.get(reverse("api:my-day")).json()
    assert [w["phone"] for w in mine["walk_ins"]] == ["+8613800138000"]


def test_duty_states_and_a_skip_through_the_api(world, api_client):
    r = reception(world)
    a, b, _c = r.consultants
    api_client.force_authenticate(r.desk)
    for person in (a, b):
        body = {"project": r.project.pk, "consultant": person.pk}
        assert _post(api_client, "api:reception-sign-in", body).status_code == 201
    entry = DutyEntry.objects.get(consultant=a)
    busy = _post(api_client, "api:reception-duty", {"status": "busy", "version": entry.version},
                 entry.pk)  # fmt: skip
    assert busy.json()["status"] == "busy"
    _error(_post(api_client, "api:reception-duty", {"status": "away", "version": entry.version},
                 entry.pk), 409)  # fmt: skip
    skip = _post(api_client, "api:reception-skip", {"project": r.project.pk, "consultant": b.pk})
    assert skip.status_code == 201 and skip.json()["kind"] == "skip"
    ledger = api_client.get(reverse("api:reception-ledger"), {"project": r.project.pk}).json()
    assert [e["kind"] for e in ledger] == ["skip"]
    fairness = api_client.get(reverse("api:reception-fairness"), {"project": r.project.pk})
    assert fairness.json()[0]["totals"] == {"skip": 1}


def test_a_consultant_may_not_run_the_desk_through_the_api(world, api_client):
    r = reception(world)
    a, b, _c = r.consultants
    r.sign_in(a, b)
    api_client.force_authenticate(a)
    before = _state()
    _error(_post(api_client, "api:reception-walk-in", {"project": r.project.pk}), 403)
    _error(_post(api_client, "api:reception-skip", {"project": r.project.pk, "consultant": b.pk}),
           403)  # fmt: skip
    _error(_post(api_client, "api:reception-sign-in", {"project": r.project.pk,
                                                       "consultant": b.pk}), 403)  # fmt: skip
    other = DutyEntry.objects.get(consultant=b)
    _error(_post(api_client, "api:reception-duty", {"status": "off"}, other.pk), 403)
    _error(api_client.get(reverse("api:reception-ledger"), {"project": r.project.pk}), 403)
    assert _state() == before


def test_another_projects_desk_is_not_found(world, api_client):
    r = reception(world)
    r.sign_in()
    stranger = world.consultants["p3"][0]
    api_client.force_authenticate(stranger)
    for name in ("api:reception", "api:reception-ledger", "api:reception-fairness"):
        _error(api_client.get(reverse(name), {"project": r.project.pk}), 404)
    entry = DutyEntry.objects.first()
    _error(_post(api_client, "api:reception-duty", {"status": "off"}, entry.pk), 404)


BAD_BODIES = [
    ("api:reception-walk-in", {"project": "p1"}),
    ("api:reception-walk-in", {"project": ID_MAX + 1}),
    ("api:reception-walk-in", {"project": "１"}),
    ("api:reception-walk-in", {"phone": "12345"}),
    ("api:reception-walk-in", {"phone": "=HYPERLINK(1)"}),
    ("api:reception-walk-in", {"visitor": "王" * 41}),
    ("api:reception-walk-in", {"visitor": ["王"]}),
    ("api:reception-walk-in", {"phone": "1" * 100}),
    ("api:reception-sign-in", {"slot_start": "9am"}),
    ("api:reception-sign-in", {"slot_start": "09:00"}),
    ("api:reception-sign-in", {"consultant": -1}),
    ("api:reception-sign-in", {"consultant": "١"}),
    ("api:reception-skip", {"consultant": None}),
    ("api:reception-skip", {"reason": "lunch"}),
]


@pytest.mark.parametrize(("name", "change"), BAD_BODIES)
def test_a_bad_body_is_400_with_the_field_and_nothing_changes(world, api_client, name, change):
    r = reception(world)
    a = r.consultants[0]
    r.sign_in(a)
    api_client.force_authenticate(r.desk)
    body = {"project": r.project.pk, "consultant": a.pk, **change}
    before = _state()
    answer = _error(_post(api_client, name, body), 400)
    assert answer["fields"], answer
    assert _state() == before


@pytest.mark.parametrize("value", ["abc", "2026-13-01", "２０２６-01-01", "9" * 30, ""])
def test_bad_query_values_are_400_never_500(world, api_client, value):
    r = reception(world)
    api_client.force_authenticate(r.desk)
    if value:
        _error(api_client.get(reverse("api:reception-ledger"),
                              {"project": r.project.pk, "day": value}), 400)  # fmt: skip
    for days in (value or "0", "8", "-7", "7.0"):
        _error(api_client.get(reverse("api:reception-fairness"),
                              {"project": r.project.pk, "days": days}), 400)  # fmt: skip
    _error(api_client.get(reverse("api:reception"), {"project": value or "x"}), 404)


def test_a_duty_change_to_an_unknown_status_is_400(world, api_client):
    r = reception(world)
    a = r.consultants[0]
    r.sign_in(a)
    entry = DutyEntry.objects.get(consultant=a)
    api_client.force_authenticate(a)
    for status in ("sleeping", "", None, "ON_DUTY"):
        _error(_post(api_client, "api:reception-duty", {"status": status}, entry.pk), 400)
    assert DutyEntry.objects.get(pk=entry.pk).status == "on_duty"
