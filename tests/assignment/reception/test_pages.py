"""Reception's pages (the HTML door): the desk takes walk-ins, a consultant signs in and
keeps their own state, the ledger and fairness for the desk only, each trade's words, the
hostile values and the query counts that must not grow with the roster."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anchang.assignment.models import DutyEntry, TurnEntry
from anchang.org.models import Role
from anchang.org.services import membership_grant
from tests.assignment.helpers import Reception, reception
from tests.conftest import make_user


def test_the_desk_takes_a_walk_in_and_shows_who_receives_them(world, client):
    r = reception(world)
    a, _b, _c = r.consultants
    r.sign_in()
    client.force_login(r.desk)
    page = client.get(reverse("assignment:reception"), {"project": r.project.pk})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="walk-in-form"' in html
    assert 'data-testid="next-up-name">' + str(a) in html
    response = client.post(reverse("assignment:walk-in"), {
        "project": r.project.pk, "visitor": "王先生 2人", "phone": "138 0013 8000",
        "idempotency_key": "k1",
    })  # fmt: skip
    assert response.status_code == 302
    entry = TurnEntry.objects.get()
    assert entry.consultant_id == a.pk and entry.phone == "+8613800138000"
    shown = client.get(response["Location"]).content.decode()
    assert 'data-testid="taken"' in shown and str(a) in shown
    assert "138****8000" in shown and "13800138000" not in shown


def test_a_bad_phone_at_the_desk_shows_beside_the_field_and_keeps_what_was_typed(world, client):
    r = reception(world)
    r.sign_in()
    client.force_login(r.desk)
    response = client.post(reverse("assignment:walk-in"), {
        "project": r.project.pk, "visitor": "王先生", "phone": "12345",
    })  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field-error="phone"' in html and 'value="王先生"' in html
    assert not TurnEntry.objects.exists()


def test_nobody_free_is_said_at_the_desk(world, client):
    r = reception(world)
    client.force_login(r.desk)
    page = client.get(reverse("assignment:reception"), {"project": r.project.pk})
    assert 'data-testid="next-up-none"' in page.content.decode()
    response = client.post(reverse("assignment:walk-in"), {"project": r.project.pk})
    assert response.status_code == 409
    assert 'data-testid="form-error"' in response.content.decode()


def test_a_consultant_signs_in_goes_busy_and_signs_out_from_their_phone(world, client):
    r = reception(world)
    a = r.consultants[0]
    client.force_login(a)
    page = client.get(reverse("assignment:reception"))
    html = page.content.decode()
    assert 'data-testid="sign-in-self"' in html and "walk-in-form" not in html
    assert client.post(reverse("assignment:sign-in"), {"project": r.project.pk}).status_code == 302
    entry = DutyEntry.objects.get(consultant=a)
    client.post(reverse("assignment:duty", args=[entry.pk]),
                {"status": "busy", "version": entry.version})  # fmt: skip
    assert DutyEntry.objects.get(pk=entry.pk).status == "busy"
    client.post(reverse("assignment:duty", args=[entry.pk]), {"status": "off"})
    assert DutyEntry.objects.get(pk=entry.pk).status == "off"


def test_a_consultant_may_not_sign_in_someone_else_nor_change_their_state(world, client):
    r = reception(world)
    a, b, _c = r.consultants
    r.sign_in(b)
    client.force_login(a)
    client.post(reverse("assignment:sign-in"), {"project": r.project.pk, "consultant": b.pk})
    assert DutyEntry.objects.get(consultant=a)  # the form signs in oneself, whatever is sent
    theirs = DutyEntry.objects.get(consultant=b)
    response = client.post(reverse("assignment:duty", args=[theirs.pk]), {"status": "off"})
    assert response.status_code == 403
    assert DutyEntry.objects.get(pk=theirs.pk).status == "on_duty"
    for name in ("assignment:ledger", "assignment:fairness"):
        assert client.get(reverse(name), {"project": r.project.pk}).status_code == 403
    assert client.post(reverse("assignment:walk-in"), {"project": r.project.pk}).status_code == 403


def test_the_ledger_and_fairness_show_the_day(world, client):
    r = reception(world)
    r.sign_in()
    r.walk_in(visitor="王先生")
    client.force_login(r.desk)
    ledger = client.get(reverse("assignment:ledger"), {"project": r.project.pk})
    assert (
        ledger.status_code == 200 and ledger.content.decode().count('data-testid="ledger-row"') == 1
    )
    fairness = client.get(reverse("assignment:fairness"), {"project": r.project.pk, "days": 14})
    html = fairness.content.decode()
    assert fairness.status_code == 200 and 'data-testid="fairness-row"' in html and "<svg" in html


@pytest.mark.parametrize("value", ["abc", "-1", "²", "9" * 30, "1.5", "", "2026-02-30", "𐩀"])
def test_hostile_query_values_are_not_a_500(world, client, value):
    r = reception(world)
    client.force_login(r.desk)
    for name in ("assignment:reception", "assignment:reception-panel", "assignment:ledger",
                 "assignment:fairness"):  # fmt: skip
        for key in ("project", "day", "days", "taken"):
            params = {"project": r.project.pk, key: value}
            response = client.get(reverse(name), params)
            assert response.status_code in (200, 400, 404), (name, key, value)


@pytest.mark.parametrize("code", ["p1", "p2", "p3"])
def test_each_trade_has_its_own_desk_words(world, client, code):
    r = reception(world, code)
    client.force_login(r.desk)
    html = client.get(reverse("assignment:reception")).content.decode()
    assert {"p1": "案场前台", "p2": "门店前台", "p3": "展厅前台"}[code] in html


def test_the_panels_queries_do_not_grow_with_the_roster(world, client,
                                                       django_assert_max_num_queries):  # fmt: skip
    r = reception(world, extra=1)
    r.sign_in()
    for _ in range(3):
        r.walk_in()
    client.force_login(r.desk)
    url = reverse("assignment:reception-panel")
    client.get(url, {"project": r.project.pk})
    with django_assert_max_num_queries(12) as few:
        client.get(url, {"project": r.project.pk})
    more = []
    for i in range(6):
        user = make_user(f"more{i}")
        membership_grant(user=user, role=Role.CONSULTANT, company=world.company,
                         project=r.project)  # fmt: skip
        more.append(user)
    Reception(r.project, r.desk, r.manager, more).sign_in()
    for _ in range(4):
        r.walk_in()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url, {"project": r.project.pk})
