"""followups/suspicion: the API.

可疑记录 page and API: flags stored when detected, read over any period, paged; who
sees them, what a flag shows, bad input answered clearly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anchang.followups.models import FollowUp, SuspicionFlag
from anchang.followups.services import followup_record
from anchang.followups.suspicion import selectors as suspicion_selectors
from anchang.org.rules import DEFAULT_RULES, flatten
from anchang.org.selectors import project_rules
from anchang.org.services import membership_grant
from tests.conftest import make_user
from tests.followups.suspicion.helpers import (
    FILLER_TEXT,
    GENUINE,
    PAGE,
    PASTED,
    detect,
)
from tests.rules_form import rules_form_data

API = "api:followups-suspicious"


API = "api:followups-suspicious"


def p2_manager(world):
    user = make_user("p2-mgr", "二号经理")
    membership_grant(user=user, role="manager", company=world.company, project=world.p2)
    return user


HOSTILE = [
    ({"days": "0"}, "days"),
    ({"days": "3661"}, "days"),
    ({"days": "abc"}, "days"),
    ({"days": "-7"}, "days"),
    ({"days": "7.5"}, "days"),
    ({"days": "9" * 5000}, "days"),
    ({"days": "٣"}, "days"),  # an Arabic-Indic digit
    ({"days": "²"}, "days"),
    ({"project": "abc"}, "project"),
    ({"project": "0"}, "project"),
    ({"project": "99999"}, "project"),
    ({"project": "1" * 5000}, "project"),
    ({"project": "<script>"}, "project"),
    ({"project": "𐩀"}, "project"),
    ({"kind": "Filler"}, "kind"),
    ({"kind": "ｆｉｌｌｅｒ"}, "kind"),  # full-width look-alike
    ({"kind": "filler' OR 1=1"}, "kind"),
    ({"consultant": "abc"}, "consultant"),
    ({"consultant": "0"}, "consultant"),
    ({"consultant": "-1"}, "consultant"),
    ({"consultant": "99999999999999999999999"}, "consultant"),
    ({"consultant": "１"}, "consultant"),  # a full-width digit
    ({"from": "2026-13-01"}, "from"),
    ({"from": "2026-02-30"}, "from"),
    ({"from": "26-01-01"}, "from"),
    ({"from": "1999-12-31"}, "from"),
    ({"from": "٢٠٢٦-٠١-٠١"}, "from"),
    ({"to": "99999-01-01"}, "to"),
    ({"to": "2026-01-01T00:00"}, "to"),
    ({"from": "2026-03-02", "to": "2026-03-01"}, "from"),
    ({"cursor": "abc"}, "cursor"),
    ({"cursor": "1_"}, "cursor"),
    ({"cursor": "9" * 40 + "_1"}, "cursor"),
    ({"cursor": "١_١"}, "cursor"),
    ({"cursor": "MTIzXzQ1Ng=="}, "cursor"),
    ({"page_size": "0"}, "page_size"),
    ({"page_size": "201"}, "page_size"),
    ({"page_size": "1e3"}, "page_size"),
]


def test_api_gives_the_same_flags(office, api_client):
    world, manager, (wang, li, _chen), (original, pasted, _genuine) = office
    api_client.force_login(manager)
    response = api_client.get(reverse(API))
    assert response.status_code == 200
    body = response.json()
    assert (body["project"], body["kind"], body["total"], body["total_capped"]) == (
        None, None, 2, False)  # fmt: skip
    assert body["next_cursor"] is None and body["page"] == reverse(PAGE)
    assert [r["followup"]["id"] for r in body["results"]] == [pasted.pk, original.pk]
    first = body["results"][0]
    assert first["kind"] == "near_duplicate" and first["consultant"] == original.author_id
    assert first["details"]["other"] == original.pk and 85 <= first["details"]["percent"] < 100
    assert {r["customer_name"] for r in body["results"]} == {wang.name, li.name}
    assert {r["followup"]["content"] for r in body["results"]} == {GENUINE, PASTED}
    (count,) = body["counts"]
    assert count["consultant"] == original.author_id and count["near_duplicate"] == 2


def test_consultants_may_not_open_it(office, client, api_client):
    world, *_ = office
    consultant = world.consultants["p1"][0]
    client.force_login(consultant)
    assert client.get(reverse(PAGE)).status_code == 403
    api_client.force_login(consultant)
    response = api_client.get(reverse(API))
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_anonymous_api_is_refused(api_client, db):
    response = api_client.get(reverse(API))
    assert response.status_code in (401, 403) and response.json()["code"] == "not_authenticated"


def test_another_projects_manager_sees_nothing(office, client, api_client):
    world, manager, *_ = office
    other = p2_manager(world)
    client.force_login(other)
    page = client.get(reverse(PAGE)).content.decode()
    assert 'data-testid="suspicion-empty"' in page and "王先生" not in page
    api_client.force_login(other)
    assert api_client.get(reverse(API)).json()["results"] == []
    # naming the other project is refused like a made-up id
    response = api_client.get(reverse(API), {"project": world.p1.pk})
    assert response.status_code == 400 and "project" in response.json()["fields"]
    assert client.get(reverse(PAGE), {"project": world.p1.pk}).status_code == 400
    # naming a consultant of the other project finds nothing either
    c1 = world.consultants["p1"][0]
    assert api_client.get(reverse(API), {"consultant": c1.pk}).json()["results"] == []


@pytest.mark.parametrize(("params", "field"), HOSTILE)
def test_bad_parameters_are_400_with_a_message(office, client, api_client, params, field):
    _world, manager, *_ = office
    client.force_login(manager)
    response = client.get(reverse(PAGE), params)
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in response.content.decode()
    api_client.force_login(manager)
    response = api_client.get(reverse(API), params)
    assert response.status_code == 400
    body = response.json()
    # a broken cursor has the code every cursor list answers
    assert body["code"] == ("invalid_cursor" if field == "cursor" else "invalid")
    assert body["fields"][field]


def test_any_period_by_days_or_dates(office, client, api_client):
    world, manager, _customers, (original, pasted, _genuine) = office
    # the pair was entered 400 days ago: far past the 30 days the report used to reach
    past = timezone.now() - timedelta(days=400)
    FollowUp.objects.filter(pk__in=[original.pk, pasted.pk]).update(
        entered_at=past, occurred_at=past
    )
    SuspicionFlag.objects.update(entered_at=past)
    api_client.force_login(manager)
    month = api_client.get(reverse(API), {"project": world.p1.pk}).json()
    assert month["project"] == world.p1.pk and month["results"] == []
    year = api_client.get(reverse(API), {"days": 500}).json()
    assert {r["followup"]["id"] for r in year["results"]} == {original.pk, pasted.pk}
    day = timezone.localtime(past).date()
    span = {"from": str(day - timedelta(days=1)), "to": str(day)}
    dated = api_client.get(reverse(API), span).json()
    assert dated["first_day"] == span["from"] and len(dated["results"]) == 2
    before = {"from": str(day - timedelta(days=9)), "to": str(day - timedelta(days=1))}
    assert api_client.get(reverse(API), before).json()["results"] == []
    client.force_login(manager)
    page = client.get(reverse(PAGE), {"days": 365}).content.decode()
    assert "data-kind=" not in page
    page = client.get(reverse(PAGE), span).content.decode()
    assert page.count('data-kind="near_duplicate"') == 2


def test_pages_chain_through_every_flag_once(world, client, api_client):
    c1, c2 = world.consultants["p1"]
    made = []
    for i in range(7):
        customer = world.customer(world.p1, c1 if i % 2 else c2, f"客户{i}")
        made.append(followup_record(actor=customer.owner, customer=customer, kind="phone",
                                    content=FILLER_TEXT + str(i)))  # fmt: skip
    detect()
    manager = world.grant(make_user("m"), "manager")
    api_client.force_login(manager)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"page_size": 3, **({"cursor": cursor} if cursor else {})}
        body = api_client.get(reverse(API), params).json()
        assert body["total"] == 7
        seen += [r["followup"]["id"] for r in body["results"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and seen == sorted((f.pk for f in made), reverse=True)
    only = api_client.get(reverse(API), {"consultant": c1.pk}).json()
    assert {r["followup"]["id"] for r in only["results"]} == {f.pk for f in made if f.author == c1}
    client.force_login(manager)
    page = client.get(reverse(PAGE), {"page_size": 3, "kind": "filler"}).content.decode()
    assert 'data-testid="suspicion-next"' in page and "kind=filler" in page


def test_the_total_is_bounded(world, api_client, monkeypatch):
    c1 = world.consultants["p1"][0]
    for i in range(4):
        customer = world.customer(world.p1, c1, f"客户{i}")
        followup_record(actor=c1, customer=customer, kind="phone", content=FILLER_TEXT + str(i))
    detect()
    monkeypatch.setattr(suspicion_selectors, "COUNT_CAP", 3)
    api_client.force_login(world.grant(make_user("m"), "manager"))
    body = api_client.get(reverse(API)).json()
    assert (body["total"], body["total_capped"]) == (3, True)


def test_queries_do_not_grow_with_flags(world, client, api_client, django_assert_max_num_queries):
    c1 = world.consultants["p1"][0]
    manager = world.grant(make_user("m"), "manager")
    client.force_login(manager)
    api_client.force_login(manager)

    def paste(times):
        for i in range(times):
            customer = world.customer(world.p1, c1, f"客户{i}")
            followup_record(actor=c1, customer=customer, kind="phone", content=GENUINE + str(i))
            customer = world.customer(world.p1, world.consultants["p1"][1], f"顾客{i}")
            followup_record(actor=world.consultants["p1"][1], customer=customer, kind="phone",
                            content=FILLER_TEXT + str(i))  # fmt: skip
        detect()

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(PAGE)).status_code == 200
            assert api_client.get(reverse(API)).status_code == 200
        return len(queries)

    paste(2)
    few = count()
    paste(20)
    with django_assert_max_num_queries(few):
        assert client.get(reverse(PAGE)).status_code == 200
        assert api_client.get(reverse(API)).status_code == 200
    assert SuspicionFlag.objects.count() > 40


class TestRulesForm:
    @pytest.fixture
    def admin(self, world):
        return world.grant(make_user("admin"), "admin")

    def test_the_section_shows_and_saves(self, world, admin, client):
        client.force_login(admin)
        url = reverse("org:project-rules", args=[world.p1.pk])
        page = client.get(url).content.decode()
        for key in flatten(DEFAULT_RULES):
            if key.startswith("suspicion."):
                assert f'name="{key}"' in page
        assert "可疑记录" in page
        data = rules_form_data()
        data.update({"version": 1, "suspicion.similarity_percent": 95, "suspicion.burst_count": 8})
        assert client.post(url, data).status_code == 302
        world.p1.refresh_from_db()
        rules = project_rules(world.p1).suspicion
        assert (rules.similarity_percent, rules.burst_count) == (95, 8)

    def test_out_of_bounds_is_refused_beside_the_field(self, world, admin, client):
        client.force_login(admin)
        url = reverse("org:project-rules", args=[world.p1.pk])
        data = rules_form_data()
        data.update({"version": 1, "suspicion.similarity_percent": 20})
        response = client.post(url, data)
        assert response.status_code == 400
        assert 'data-field-error="suspicion.similarity_percent"' in response.content.decode()

    def test_the_projects_threshold_applies(self, world, api_client):
        # A flag is judged by the rules when it is detected: set before the records come.
        world.p1.rules_overrides = {"suspicion": {"similarity_percent": 100}}
        world.p1.save()
        c1 = world.consultants["p1"][0]
        for name, text in (("王先生", GENUINE), ("李女士", PASTED)):
            customer = world.customer(world.p1, c1, name)
            followup_record(actor=c1, customer=customer, kind="phone", content=text)
        detect()
        api_client.force_login(world.grant(make_user("m"), "manager"))
        assert api_client.get(reverse(API)).json()["results"] == []


def test_the_schema_documents_the_endpoint(client, db):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/followups/suspicious/" in schema
