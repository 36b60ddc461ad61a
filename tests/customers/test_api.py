"""customers: the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anchang.audit.models import AuditEntry
from anchang.customers.models import Customer, Medium, OwnershipConflict, Registration
from anchang.org.models import Project
from tests.conftest import make_user, next_phone
from tests.customers.helpers import FIRST_VISIT

# The intake flows through the API and the HTML doors: same services, same answers.


def payload(world, **overrides):
    data = {
        "project": world.p1.pk,
        "kind": "call",
        "name": "刘女士",
        "gender": "f",
        "phone": next_phone(),
        "medium": world.medium(world.p1).pk,
        "content": "来电询问两居室总价与首付比例",
        "occurred_at": (timezone.now() - timedelta(minutes=3)).isoformat(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def c1(world, api_client):
    user = world.consultants["p1"][0]
    api_client.force_authenticate(user)
    return user


class TestRegistrationApi:
    def test_new_then_return_then_conflict(self, world, c1, api_client):
        data = payload(world)
        first = api_client.post(reverse("api:registrations"), data, format="json")
        assert first.status_code == 201, first.content
        assert first.json()["outcome"] == "new_customer" and first.json()["customer"]
        again = api_client.post(reverse("api:registrations"), data, format="json")
        assert again.json()["outcome"] == "return"
        assert again.json()["customer"] == first.json()["customer"]
        api_client.force_authenticate(world.consultants["p1"][1])
        conflict = api_client.post(reverse("api:registrations"), data, format="json")
        body = conflict.json()
        assert conflict.status_code == 201 and body["outcome"] == "conflict"
        assert body["customer"] is None
        assert "刘女士" not in conflict.content.decode()
        assert str(c1) not in conflict.content.decode()
        assert OwnershipConflict.objects.count() == 1
        assert Registration.objects.count() == 3 and Customer.objects.count() == 1

    def test_round_trips_of_a_registration(self, world, c1, api_client, django_assert_num_queries):
        """A first registration and a return, statement by statement (each a round trip on
        PostgreSQL): the actor's memberships; the project and medium; the phone's holder; the
        customer, its history and phone index row, the registration, the first grade, the
        customer's counts and the audit entry, with the savepoints around them. Nothing is
        read twice, and a new customer's key dates (it has none) are not read at all."""
        data = payload(world)
        with django_assert_num_queries(17) as first:
            answer = api_client.post(reverse("api:registrations"), data, format="json")
        assert answer.status_code == 201
        sql = [q["sql"] for q in first.captured_queries]
        assert sum(q.startswith('SELECT "org_project"') for q in sql) == 1, sql
        assert not any("customers_keydate" in q for q in sql), sql
        with django_assert_num_queries(12):  # a return: no insert of a customer
            assert (
                api_client.post(reverse("api:registrations"), data, format="json").status_code
                == 201
            )

    def test_visit_with_first_visit_profile(self, world, c1, api_client):
        data = payload(world, kind="visit", **FIRST_VISIT)
        response = api_client.post(reverse("api:registrations"), data, format="json")
        assert response.status_code == 201, response.content
        customer = Customer.objects.get(pk=response.json()["customer"])
        assert customer.unit_type == "room_3" and customer.visit_count == 1

    def test_missing_fields_are_all_named(self, world, c1, api_client):
        response = api_client.post(reverse("api:registrations"), {}, format="json")
        assert response.status_code == 400
        assert {"project", "kind", "name", "gender", "phone", "medium", "content",
                "occurred_at"} <= set(response.json()["fields"])  # fmt: skip
        response = api_client.post(
            reverse("api:registrations"), payload(world, kind="visit"), format="json"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "required_fields_missing"
        assert set(FIRST_VISIT) <= set(response.json()["fields"])
        assert not Registration.objects.exists()

    @pytest.mark.parametrize(
        "override, field",
        [
            ({"phone": "12345678901"}, "phone"),
            ({"phone": "138"}, "phone"),
            ({"name": "名" * 201}, "name"),
            ({"gender": "x"}, "gender"),
            ({"kind": "email"}, "kind"),
            ({"occurred_at": "tomorrow"}, "occurred_at"),
            ({"companions": -1}, "companions"),
            ({"unit_type": "castle"}, "unit_type"),
            ({"is_vip": True}, "is_vip"),
        ],
    )
    def test_bad_values(self, world, c1, api_client, override, field):
        response = api_client.post(
            reverse("api:registrations"), payload(world, **override), format="json"
        )
        assert response.status_code == 400
        assert field in response.json()["fields"]
        assert not Registration.objects.exists()

    def test_future_time(self, world, c1, api_client):
        future = (timezone.now() + timedelta(days=1)).isoformat()
        response = api_client.post(
            reverse("api:registrations"), payload(world, occurred_at=future), format="json"
        )
        assert response.status_code == 400 and "occurred_at" in response.json()["fields"]

    def test_other_project_is_403(self, world, c1, api_client):
        data = payload(world, project=world.p3.pk, medium=world.medium(world.p3).pk)
        response = api_client.post(reverse("api:registrations"), data, format="json")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert not Registration.objects.exists()

    def test_idempotency_header(self, world, c1, api_client):
        data = payload(world)
        for _ in range(3):
            response = api_client.post(
                reverse("api:registrations"), data, format="json", HTTP_IDEMPOTENCY_KEY="abc"
            )
            assert response.status_code == 201
        assert Registration.objects.count() == 1


class TestCardApi:
    def test_patch_profile_and_version(self, world, c1, api_client):
        customer = world.register(c1).customer
        url = reverse("api:customer", args=[customer.pk])
        response = api_client.patch(
            url, {"version": customer.version, "hobbies": "高尔夫", "industry": "finance"},
            format="json",
        )  # fmt: skip
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["hobbies"] == "高尔夫" and body["completeness"] > customer.completeness
        stale = api_client.patch(url, {"version": customer.version, "hobbies": "x"}, format="json")
        assert stale.status_code == 409

    def test_state_change_needs_its_fields(self, world, c1, api_client):
        customer = world.register(c1).customer
        url = reverse("api:customer", args=[customer.pk])
        response = api_client.patch(
            url, {"version": customer.version, "state": "no_intent"}, format="json"
        )
        assert response.status_code == 400 and "loss_reason" in response.json()["fields"]
        response = api_client.patch(
            url, {"version": customer.version, "state": "no_intent", "loss_reason": "budget"},
            format="json",
        )  # fmt: skip
        assert response.status_code == 200
        owner = api_client.patch(url, {"version": 3, "state": "owner"}, format="json")
        assert owner.status_code == 400 and "state" in owner.json()["fields"]

    def test_phone_change_to_a_taken_number_is_409(self, world, c1, api_client):
        a = world.register(c1).customer
        b = world.register(c1).customer
        response = api_client.patch(
            reverse("api:customer", args=[b.pk]), {"version": b.version, "phone": a.phone},
            format="json",
        )  # fmt: skip
        assert response.status_code == 409 and response.json()["code"] == "duplicate_phone"
        b.refresh_from_db()
        assert b.phone != a.phone

    def test_history_keeps_phone_and_name_changes(self, world, c1, api_client):
        customer = world.register(c1).customer
        new_phone = next_phone()
        api_client.patch(
            reverse("api:customer", args=[customer.pk]),
            {"version": customer.version, "phone": new_phone, "name": "刘总"},
            format="json",
        )
        history = list(customer.history.order_by("history_date"))
        assert history[-1].name == "刘总" and history[-1].phone == "+86" + new_phone
        assert history[-2].phone == customer.phone
        assert history[-1].history_user == c1


class TestReveal:
    def test_manager_reveals_with_a_reason_and_is_audited(self, world, api_client):
        manager = world.grant(make_user("mgr"), "manager")
        customer = world.register(world.consultants["p1"][0]).customer
        api_client.force_authenticate(manager)
        detail = api_client.get(reverse("api:customer", args=[customer.pk])).json()
        assert "****" in detail["phone"]
        url = reverse("api:customer-reveal-phone", args=[customer.pk])
        assert api_client.post(url, {"reason": ""}, format="json").status_code == 400
        response = api_client.post(url, {"reason": "客户投诉需回电"}, format="json")
        assert response.json() == {"phone": customer.phone}
        entry = AuditEntry.objects.get(action="phone_revealed")
        assert entry.details == {"reason": "客户投诉需回电"} and entry.actor == manager

    def test_consultant_cannot_reveal_a_colleagues_customer(self, world, api_client):
        customer = world.register(world.consultants["p1"][1]).customer
        api_client.force_authenticate(world.consultants["p1"][0])
        url = reverse("api:customer-reveal-phone", args=[customer.pk])
        assert api_client.post(url, {"reason": "x"}, format="json").status_code == 404

    def test_reveal_cap_blocks_and_tells(self, world, api_client):
        world.p1.rules_overrides = {"privacy": {"reveals_per_hour": 2}}
        world.p1.save()
        manager = world.grant(make_user("mgr2"), "manager")
        customer = world.register(world.consultants["p1"][0]).customer
        api_client.force_authenticate(manager)
        url = reverse("api:customer-reveal-phone", args=[customer.pk])
        codes = [api_client.post(url, {"reason": "回访"}, format="json").status_code
                 for _ in range(3)]  # fmt: skip
        assert codes == [200, 200, 429]
        assert AuditEntry.objects.filter(action="phone_revealed").count() == 2
        assert AuditEntry.objects.filter(action="reveal_blocked").count() == 1


class TestMediaAndConflicts:
    def test_planner_edits_the_catalogue(self, world, client, api_client):
        planner = world.grant(make_user("planner"), "planner")
        client.force_login(planner)
        url = reverse("customers:media")
        assert client.post(url, {"name": "抖音直播", "kind": "online"}).status_code == 302
        assert client.post(url, {"name": "抖音直播", "kind": "online"}).status_code == 409
        assert client.post(url, {"name": "", "kind": "nope"}).status_code == 400
        medium = Medium.objects.get(name="抖音直播")
        edit = reverse("customers:medium-edit", args=[medium.pk])
        assert client.post(edit, {"name": "抖音", "kind": "online"}).status_code == 302
        medium.refresh_from_db()
        assert medium.name == "抖音" and not medium.is_active  # unchecked = retired
        api_client.force_authenticate(planner)
        names = [m["name"] for m in api_client.get(reverse("api:media")).json()]
        assert "抖音" in names

    def test_consultant_may_not_edit_media(self, world, client):
        client.force_login(world.consultants["p1"][0])
        assert client.get(reverse("customers:media")).status_code == 403

    def test_manager_decides_a_conflict(self, world, client):
        c1, c2 = world.consultants["p1"]
        phone = next_phone()
        customer = world.register(c1, phone=phone).customer
        world.register(c2, phone=phone)
        manager = world.grant(make_user("mgr"), "manager")
        client.force_login(manager)
        page = client.get(reverse("customers:conflicts")).content.decode()
        assert customer.name in page and str(c2) in page
        conflict = OwnershipConflict.objects.get()
        url = reverse("customers:conflict-resolve", args=[conflict.pk])
        assert client.post(url, {"decision": "bogus"}).status_code == 400
        assert client.post(url, {"decision": "transferred", "note": "客户指定"}).status_code == 302
        customer.refresh_from_db()
        assert customer.owner == c2
        assert customer.history.order_by("-history_date").first().history_change_reason
        assert client.post(url, {"decision": "kept"}).status_code == 404  # already decided

    def test_consultant_cannot_see_conflicts(self, world, client):
        client.force_login(world.consultants["p1"][0])
        assert client.get(reverse("customers:conflicts")).status_code == 403


def test_manager_home_tells_about_refused_reveals(world, client, api_client):
    world.p1.rules_overrides = {"privacy": {"reveals_per_hour": 0}}
    world.p1.save()
    manager = world.grant(make_user("mgr-home"), "manager")
    customer = world.register(world.consultants["p1"][0]).customer
    api_client.force_authenticate(manager)
    url = reverse("api:customer-reveal-phone", args=[customer.pk])
    assert api_client.post(url, {"reason": "回访"}, format="json").status_code == 429
    client.force_login(manager)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="reveal-blocks"' in page and "× 1" in page


# Finding customers: one search box, filters, scoping, fixed query counts.


@pytest.fixture
def office(world):
    c1, c2 = world.consultants["p1"]
    people = {
        "zhang": world.register(c1, name="张三", phone="13800001234").customer,
        "zhao": world.register(c1, name="赵四", phone="13900005678").customer,
        "shan": world.register(c1, name="单田芳", phone="13700009999").customer,
        "other": world.register(c2, name="张伟", phone="13600001234").customer,
    }
    return world, c1, c2, people


def listed(client, **params) -> set[str]:
    response = client.get(reverse("api:customers"), params)
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    "q, expected",
    [
        ("zs", {"张三", "赵四"}),  # zhang san and zhao si share their initials
        ("zhangsan", {"张三"}),
        ("zhang", {"张三"}),
        ("ZHANG SAN", {"张三"}),
        ("张", {"张三"}),
        ("13800001234", {"张三"}),
        ("138 0000 1234", {"张三"}),
        ("+86 138-0000-1234", {"张三"}),
        ("1234", {"张三"}),
        ("5678", {"赵四"}),
        ("shan", {"单田芳"}),
        ("stf", {"单田芳"}),
        ("xyz", set()),
        ("0000", set()),
    ],
)
def test_consultant_search_finds_only_their_own(office, api_client, q, expected):
    _world, c1, _c2, _people = office
    api_client.force_authenticate(c1)
    assert listed(api_client, q=q) == expected


def test_manager_search_covers_the_project(office, api_client):
    world, _c1, _c2, _people = office
    manager = world.grant(make_user("mgr"), "manager")
    api_client.force_authenticate(manager)
    assert listed(api_client, q="zhang") == {"张三", "张伟"}
    assert listed(api_client, q="1234") == {"张三", "张伟"}


@pytest.mark.parametrize("q", ["<script>", "'; DROP TABLE x;--", "%", "_", "\\", "x" * 500, "🏠"])
def test_hostile_search_input_answers_cleanly(office, api_client, client, q):
    _world, c1, _c2, _people = office
    api_client.force_authenticate(c1)
    assert api_client.get(reverse("api:customers"), {"q": q}).status_code in (200, 400)
    client.force_login(c1)
    page = client.get(reverse("customers:list"), {"q": q})
    assert page.status_code == 200
    assert "<script>" not in page.content.decode().split("<main")[1]


def test_filters(office, api_client):
    world, c1, _c2, people = office
    manager = world.grant(make_user("mgr2"), "manager")
    api_client.force_authenticate(manager)
    Customer.objects.filter(pk=people["zhao"].pk).update(state="no_intent")
    assert listed(api_client, state="no_intent") == {"赵四"}
    assert listed(api_client, owner=c1.pk) == {"张三", "赵四", "单田芳"}
    medium = world.medium(world.p1)
    assert listed(api_client, medium=medium.pk) == {"张三", "赵四", "单田芳", "张伟"}
    today = timezone.localdate().isoformat()
    assert len(listed(api_client, registered_from=today, registered_to=today)) == 4
    old = timezone.now() - timedelta(days=20)
    Customer.objects.filter(pk=people["shan"].pk).update(last_contact_at=old)
    cutoff = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert listed(api_client, contact_to=cutoff) == {"单田芳"}
    # after 21:00 in Shanghai every registration of the test is late: decide it here
    Registration.objects.update(is_late=False)
    Registration.objects.filter(customer=people["other"]).update(is_late=True)
    assert listed(api_client, late="true") == {"张伟"}


def test_below_target_filter(office, api_client):
    world, c1, _c2, people = office
    api_client.force_authenticate(c1)
    # callers have no target; a visitor under 30 % has
    Customer.objects.filter(pk=people["zhang"].pk).update(visit_count=1, completeness=20)
    Customer.objects.filter(pk=people["zhao"].pk).update(visit_count=1, completeness=40)
    Customer.objects.filter(pk=people["shan"].pk).update(visit_count=3, completeness=60)
    assert listed(api_client, below_target="true") == {"张三", "单田芳"}


def test_bad_filter_values_are_clear_errors(office, api_client, client):
    _world, c1, _c2, _people = office
    api_client.force_authenticate(c1)
    response = api_client.get(reverse("api:customers"), {"registered_from": "yesterday"})
    assert response.status_code == 400
    assert "registered_from" in response.json()["fields"]
    client.force_login(c1)
    page = client.get(reverse("customers:list"), {"registered_from": "yesterday", "state": "x"})
    assert page.status_code == 200  # the page ignores what it cannot read, and says so


def test_ordering(office, api_client):
    _world, c1, _c2, _people = office
    api_client.force_authenticate(c1)
    rows = api_client.get(reverse("api:customers"), {"order": "name"}).json()["results"]
    assert [r["name"] for r in rows] == ["单田芳", "张三", "赵四"]  # shan, zhang, zhao


# The customer list as a person reads it: grade and next follow-up columns, the grade filter
# (the scale of the actor's projects, from the project rules), a bounded total, the apply
# button; query counts that do not grow with the rows.


def api_names(api_client, **params) -> set[str]:
    response = api_client.get(reverse("api:customers"), params)
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def page_names(client, **params) -> set[str]:
    response = client.get(reverse("customers:list"), params)
    assert response.status_code == 200
    return {c.name for c in response.context["customers"]}


HOSTILE = ["Z", "a", "Ａ", "A\x00", "A ", "AB", "' OR 1=1 --", "x" * 5000, "𐩀", "²", "None"]


def test_grade_filter_on_the_page_and_the_api(graded, client, api_client):
    _world, c1, people = graded
    client.force_login(c1)
    api_client.force_authenticate(c1)
    for grade in "ABCD":
        expected = {people[grade].name}
        assert page_names(client, grade=grade) == expected
        assert api_names(api_client, grade=grade) == expected
    assert page_names(client, grade="none") == {people[""].name}
    assert api_names(api_client, grade="none") == {people[""].name}


def test_grade_choices_follow_the_project_rules(graded, client, api_client):
    world, c1, people = graded
    client.force_login(c1)
    choices = [v for v, _label in client.get(reverse("customers:list")).context[
        "filter"
    ].form.fields["grade"].choices if v]  # fmt: skip
    assert choices == ["A", "B", "C", "D", "none"]
    # The project becomes a dealership scale (H/A/B/C): H is offered, D is not.
    Project.objects.filter(pk=world.p1.pk).update(rules_overrides={"grading": {"scale": "HABC"}})
    form = client.get(reverse("customers:list")).context["filter"].form
    assert [v for v, _label in form.fields["grade"].choices if v] == ["H", "A", "B", "C", "none"]
    api_client.force_authenticate(c1)
    response = api_client.get(reverse("api:customers"), {"grade": "D"})
    assert response.status_code == 400 and "grade" in response.json()["fields"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_grade_values_are_refused_or_ignored_never_500(graded, client, api_client, value):
    _world, c1, _people = graded
    api_client.force_authenticate(c1)
    response = api_client.get(reverse("api:customers"), {"grade": value})
    assert response.status_code == 400
    assert response.json()["code"] and "grade" in response.json()["fields"]
    client.force_login(c1)
    page = client.get(reverse("customers:list"), {"grade": value})
    assert page.status_code == 200
    assert "alert-warning" in page.content.decode()  # "some filters were ignored"
    assert len(page.context["customers"]) == 5  # ignored: the whole list
