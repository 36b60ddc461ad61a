"""The intake flows through the API and the HTML doors: same services, same answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anchang.audit.models import AuditEntry
from anchang.customers.models import Customer, Medium, OwnershipConflict, Registration
from tests.conftest import make_user, next_phone
from tests.test_registration import FIRST_VISIT


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


class TestHtmlDoor:
    def test_register_page_creates_and_opens_the_card(self, world, client):
        consultant = world.consultants["p1"][0]
        client.force_login(consultant)
        page = client.get(reverse("customers:register"))
        assert page.status_code == 200
        key = page.context["form"]["idempotency_key"].value()
        form = {
            "project": world.p1.pk, "kind": "call", "name": "何先生", "gender": "m",
            "phone": "139 1234 5678", "medium": world.medium(world.p1).pk,
            "content": "想了解车位和学区", "occurred_at": timezone.localtime().strftime(
                "%Y-%m-%dT%H:%M"), "companions": 0, "idempotency_key": key,
        }  # fmt: skip
        response = client.post(reverse("customers:register"), form)
        customer = Customer.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("customers:detail", args=[customer.pk])
        assert client.post(reverse("customers:register"), form).status_code == 302  # replay
        assert Registration.objects.count() == 1

    def test_register_page_shows_every_error(self, world, client):
        client.force_login(world.consultants["p1"][0])
        response = client.post(reverse("customers:register"), {"kind": "visit"})
        assert response.status_code == 400
        body = response.content.decode()
        for field in ("name", "gender", "phone", "medium", "content", "occurred_at"):
            assert f'data-field-error="{field}"' in body, field

    def test_conflict_page_says_only_that_there_is_an_owner(self, world, client):
        world.register(world.consultants["p1"][0], phone="13811112222", name="钱先生")
        client.force_login(world.consultants["p1"][1])
        form = {
            "project": world.p1.pk, "kind": "call", "name": "钱", "gender": "m",
            "phone": "13811112222", "medium": world.medium(world.p1).pk, "content": "再次来电",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        }  # fmt: skip
        response = client.post(reverse("customers:register"), form, follow=True)
        body = response.content.decode()
        assert "钱先生" not in body and str(world.consultants["p1"][0]) not in body
        assert "already has an owner" in body or "已有归属顾问" in body or "撞单" in body

    def test_clerk_cannot_open_the_register_page(self, world, client):
        client.force_login(world.grant(make_user("clerk"), "clerk"))
        assert client.get(reverse("customers:register")).status_code == 403

    def test_card_shows_completeness_and_timeline(self, world, client):
        consultant = world.consultants["p1"][0]
        customer = world.register(consultant, kind="visit", profile=FIRST_VISIT).customer
        client.force_login(consultant)
        body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
        assert f">{customer.completeness}%<" in body
        assert 'data-testid="timeline"' in body and "来电咨询三居室" in body
        assert "<progress" in body

    def test_profile_edit_page(self, world, client):
        consultant = world.consultants["p1"][0]
        customer = world.register(consultant).customer
        client.force_login(consultant)
        url = reverse("customers:edit", args=[customer.pk])
        assert client.get(url).status_code == 200
        response = client.post(url, {"version": customer.version, "hobbies": "钓鱼",
                                     "industry": "finance", "name": customer.name})  # fmt: skip
        assert response.status_code == 302
        customer.refresh_from_db()
        assert (customer.hobbies, customer.industry, customer.gender) == ("钓鱼", "finance", "m")


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


class TestKeyDates:
    def test_owner_adds_and_removes_a_care_date_and_completeness_follows(self, world, client):
        owner = world.consultants["p1"][0]
        customer = world.register(owner).customer
        client.force_login(owner)
        url = reverse("customers:key-date-add", args=[customer.pk])
        response = client.post(
            url, {"kind": "anniversary", "date": "2026-05-20", "note": "结婚纪念日"}
        )
        assert response.status_code == 302
        customer.refresh_from_db()
        with_date = customer.completeness
        key_date = customer.key_dates.get()
        page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
        assert "结婚纪念日" in page
        remove = reverse("customers:key-date-remove", args=[customer.pk, key_date.pk])
        assert client.post(remove).status_code == 302
        customer.refresh_from_db()
        assert customer.completeness < with_date and not customer.key_dates.exists()

    @pytest.mark.parametrize(
        "data", [{"kind": "x", "date": "2026-01-01"}, {"kind": "school"},
                 {"kind": "school", "date": "not a date"},
                 {"kind": "school", "date": "2026-09-01", "note": "长" * 101}],
    )  # fmt: skip
    def test_bad_care_dates(self, world, client, data):
        owner = world.consultants["p1"][0]
        customer = world.register(owner).customer
        client.force_login(owner)
        response = client.post(reverse("customers:key-date-add", args=[customer.pk]), data)
        assert response.status_code == 400
        assert not customer.key_dates.exists()

    def test_a_clerk_cannot_add_dates(self, world, client):
        customer = world.register(world.consultants["p1"][0]).customer
        client.force_login(world.grant(make_user("clerk-kd"), "clerk"))
        url = reverse("customers:key-date-add", args=[customer.pk])
        assert client.post(url, {"kind": "school", "date": "2026-09-01"}).status_code == 403
