"""可疑记录 page and API: who sees them, what a flag shows, bad input answered clearly."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anchang.followups.models import FollowUp
from anchang.followups.services import followup_record
from anchang.org.rules import DEFAULT_RULES, flatten
from anchang.org.selectors import project_rules
from anchang.org.services import membership_grant
from tests.conftest import make_user
from tests.test_suspicion import FILLER_TEXT, GENUINE, OTHER_GENUINE, PASTED, THIRD_GENUINE

PAGE = "followups:suspicious"
API = "api:followups-suspicious"


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
    return world, manager, (wang, li, chen), (original, pasted, genuine)


def p2_manager(world):
    user = make_user("p2-mgr", "二号经理")
    membership_grant(user=user, role="manager", company=world.company, project=world.p2)
    return user


def test_copy_paste_shows_the_pair_with_their_customers(office, client):
    world, manager, (wang, li, chen), (original, pasted, genuine) = office
    client.force_login(manager)
    response = client.get(reverse(PAGE))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="suspicion-note"' in page and "不会自动处罚" in page
    assert page.count('data-kind="near_duplicate"') == 1
    assert page.count('data-testid="flag-pair"') == 1
    for customer in (wang, li):
        assert customer.name in page
        assert reverse("customers:detail", args=[customer.pk]) in page
    assert f'data-record="{original.pk}"' in page and f'data-record="{pasted.pk}"' in page
    assert f'data-record="{genuine.pk}"' not in page and chen.name not in page
    flag = response.context["report"].flags[0]
    percent = flag.rows[0][2]
    assert 85 <= percent < 100
    assert f"#{original.pk}" in flag.reason and f"{percent}%" in flag.reason
    assert 'data-testid="tab-suspicious"' in page  # the review tabs lead here


def test_a_text_pasted_on_many_customers_is_one_card_each_record_with_its_closest(office, client):
    world, manager, (wang, li, chen), (original, pasted, _genuine) = office
    zhou = world.customer(world.p1, original.author, "周先生")
    third = followup_record(actor=original.author, customer=zhou, kind="phone",
                            content=GENUINE.replace("王先生", "周先生"))  # fmt: skip
    client.force_login(manager)
    page = client.get(reverse(PAGE)).content.decode()
    assert page.count('data-kind="near_duplicate"') == 1
    assert 'data-testid="flag-pair"' not in page
    assert page.count('data-testid="flag-closest"') == 3
    for record in (original, pasted, third):
        assert page.count(f'data-record="{record.pk}"') == 1


def test_api_gives_the_same_flag_with_the_pair(office, api_client):
    world, manager, (wang, li, _chen), (original, pasted, _genuine) = office
    api_client.force_login(manager)
    response = api_client.get(reverse(API))
    assert response.status_code == 200
    body = response.json()
    assert (body["days"], body["project"], body["total"], body["truncated"]) == (7, None, 1, False)
    assert body["checked"] == 3
    (flag,) = body["flags"]
    assert flag["kind"] == "near_duplicate" and flag["author"] == original.author_id
    assert flag["record_ids"] == [original.pk, pasted.pk]
    assert flag["matches"][0]["record"] == original.pk and flag["matches"][0]["other"] == pasted.pk
    assert 85 <= flag["matches"][0]["similarity"] < 100
    assert {r["customer_name"] for r in flag["records"]} == {wang.name, li.name}
    assert {r["content"] for r in flag["records"]} == {GENUINE, PASTED}


def test_bursts_and_filler_say_why(world, client):
    c2 = world.consultants["p1"][1]
    texts = [GENUINE, OTHER_GENUINE, THIRD_GENUINE,
             "孙先生来电咨询商铺，问了租金回报率和产权年限，约下周二来售楼处面谈。",
             "周女士微信问交房标准，发了精装清单和样板间视频，她说和老公商量后回复。"]  # fmt: skip
    for i, text in enumerate(texts):
        customer = world.customer(world.p1, c2, f"客户{i}")
        followup_record(actor=c2, customer=customer, kind="phone", content=text)
    filler_customer = world.customer(world.p1, c2, "吴先生")
    followup_record(actor=c2, customer=filler_customer, kind="phone", content=FILLER_TEXT)
    client.force_login(world.grant(make_user("m"), "manager"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse(PAGE)).content.decode()
    assert page.count('data-kind="burst"') == 1
    assert "6 records entered within 1 minute" in page
    assert page.count('data-kind="filler"') == 1
    assert "Only stock phrases: 客户考虑中、再联系." in page
    assert "Nothing is penalised automatically" in page


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
    world, *_ = office
    other = p2_manager(world)
    client.force_login(other)
    page = client.get(reverse(PAGE)).content.decode()
    assert 'data-testid="suspicion-empty"' in page and "王先生" not in page
    api_client.force_login(other)
    assert api_client.get(reverse(API)).json()["flags"] == []
    # naming the other project is refused like a made-up id
    response = api_client.get(reverse(API), {"project": world.p1.pk})
    assert response.status_code == 400 and "project" in response.json()["fields"]
    assert client.get(reverse(PAGE), {"project": world.p1.pk}).status_code == 400


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"days": "0"}, "days"),
        ({"days": "31"}, "days"),
        ({"days": "abc"}, "days"),
        ({"days": "-7"}, "days"),
        ({"days": "7.5"}, "days"),
        ({"days": "9" * 5000}, "days"),
        ({"days": "٣"}, "days"),  # an Arabic-Indic digit
        ({"project": "abc"}, "project"),
        ({"project": "0"}, "project"),
        ({"project": "99999"}, "project"),
        ({"project": "1" * 5000}, "project"),
        ({"project": "<script>"}, "project"),
    ],
)
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
    assert body["code"] == "invalid" and body["fields"][field]


def test_one_project_and_the_month(office, client, api_client):
    world, manager, (wang, li, _chen), (original, pasted, _genuine) = office
    # time travel: the pair was entered 20 days ago
    past = timezone.now() - timedelta(days=20)
    FollowUp.objects.filter(pk__in=[original.pk, pasted.pk]).update(
        entered_at=past, occurred_at=past
    )
    api_client.force_login(manager)
    week = api_client.get(reverse(API), {"project": world.p1.pk}).json()
    assert week["project"] == world.p1.pk and week["flags"] == []
    month = api_client.get(reverse(API), {"project": world.p1.pk, "days": 30}).json()
    assert [f["kind"] for f in month["flags"]] == ["near_duplicate"]
    client.force_login(manager)
    page = client.get(reverse(PAGE), {"days": 30}).content.decode()
    assert 'data-kind="near_duplicate"' in page and 'data-testid="suspicion-days-30"' in page


def test_hostile_content_is_escaped(world, client):
    c1 = world.consultants["p1"][0]
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    text = hostile + "客户来电问价，说下周再来看房，想要南向三居室，预算三百万左右。"
    for name in ("<b>甲</b>", "乙<script>"):
        customer = world.customer(world.p1, c1, name)
        followup_record(actor=c1, customer=customer, kind="phone", content=text)
    client.force_login(world.grant(make_user("m"), "manager"))
    page = client.get(reverse(PAGE)).content.decode()
    assert 'data-kind="near_duplicate"' in page
    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert "<b>甲</b>" not in page and "&lt;b&gt;甲&lt;/b&gt;" in page
    assert "&lt;img src=x" in page


def test_queries_do_not_grow_with_flags(world, client):
    c1 = world.consultants["p1"][0]
    manager = world.grant(make_user("m"), "manager")
    client.force_login(manager)

    def paste(times):
        for i in range(times):
            customer = world.customer(world.p1, c1, f"客户{i}")
            followup_record(actor=c1, customer=customer, kind="phone", content=GENUINE + str(i))
            customer = world.customer(world.p1, world.consultants["p1"][1], f"顾客{i}")
            followup_record(actor=world.consultants["p1"][1], customer=customer, kind="phone",
                            content=FILLER_TEXT + str(i))  # fmt: skip

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(PAGE)).status_code == 200
        return len(queries)

    paste(2)
    few = count()
    paste(8)
    assert count() == few


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
        data = {
            k: json.dumps(v) if isinstance(v, (dict, list)) else v
            for k, v in flatten(DEFAULT_RULES).items()
        }
        data.update({"version": 1, "suspicion.similarity_percent": 95, "suspicion.burst_count": 8})
        assert client.post(url, data).status_code == 302
        world.p1.refresh_from_db()
        rules = project_rules(world.p1).suspicion
        assert (rules.similarity_percent, rules.burst_count) == (95, 8)

    def test_out_of_bounds_is_refused_beside_the_field(self, world, admin, client):
        client.force_login(admin)
        url = reverse("org:project-rules", args=[world.p1.pk])
        data = {
            k: json.dumps(v) if isinstance(v, (dict, list)) else v
            for k, v in flatten(DEFAULT_RULES).items()
        }
        data.update({"version": 1, "suspicion.similarity_percent": 20})
        response = client.post(url, data)
        assert response.status_code == 400
        assert 'data-field-error="suspicion.similarity_percent"' in response.content.decode()

    def test_the_projects_threshold_applies(self, office, api_client):
        world, manager, *_ = office
        world.p1.rules_overrides = {"suspicion": {"similarity_percent": 100}}
        world.p1.save()
        api_client.force_login(manager)
        assert api_client.get(reverse(API)).json()["flags"] == []


def test_the_schema_documents_the_endpoint(client, db):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/followups/suspicious/" in schema
