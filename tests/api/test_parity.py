"""API parity with the pages (issue 13, item 29): history, conflicts, key dates, the media
catalogue, the staff directory; each scoped by the visibility selectors, bad input a 400."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anchang.customers.models import Medium, OwnershipConflict
from anchang.org.models import Role
from tests.conftest import make_user, next_phone

HUGE = "9" * 30


@pytest.fixture
def manager(world):
    return world.grant(make_user("mgr1", "经理甲"), Role.MANAGER)


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def _conflict(world, phone=None):
    c1, c2 = world.consultants["p1"]
    phone = phone or next_phone()
    world.register(c1, phone=phone, name="老王")
    return world.register(c2, phone=phone, name="老王")


class TestHistory:
    def test_registrations_and_everyones_followups_on_a_visible_customer(self, world, api_client):
        from anchang.followups.services import followup_record

        c1, _c2 = world.consultants["p1"]
        customer = world.register(c1).customer
        followup_record(actor=c1, customer=customer, kind="wechat", content="加了微信")
        body = _as(api_client, c1).get(f"/api/v1/customers/{customer.pk}/history/").json()
        assert [r["kind"] for r in body["registrations"]] == ["call"]
        assert body["followups"][0]["author_name"] == c1.name
        other = world.consultants["p3"][0]
        answer = _as(api_client, other).get(f"/api/v1/customers/{customer.pk}/history/")
        assert answer.status_code == 404


class TestConflicts:
    def test_manager_pages_through_open_conflicts_and_decides_one(self, world, api_client,
                                                                  manager):  # fmt: skip
        for _ in range(3):
            _conflict(world)
        client = _as(api_client, manager)
        first = client.get("/api/v1/conflicts/", {"page_size": 2}).json()
        assert len(first["results"]) == 2 and first["next"]
        rest = client.get(first["next"]).json()
        assert len(rest["results"]) == 1
        pk = first["results"][0]["id"]
        # a note: the proposal may be the other outcome (the owner's contact is fresh)
        decided = client.post(f"/api/v1/conflicts/{pk}/decide/",
                              {"decision": "transferred", "note": "客户要求"},
                              format="json")  # fmt: skip
        assert decided.status_code == 200, decided.json()
        assert decided.json()["status"] == "transferred"
        again = client.post(f"/api/v1/conflicts/{pk}/decide/", {"decision": "kept"},
                            format="json")  # fmt: skip
        assert again.status_code == 404  # no longer open
        assert len(client.get("/api/v1/conflicts/").json()["results"]) == 2

    def test_a_consultant_lists_none_and_decides_none(self, world, api_client):
        _conflict(world)
        c1 = world.consultants["p1"][0]
        pk = OwnershipConflict.objects.get().pk
        client = _as(api_client, c1)
        assert client.get("/api/v1/conflicts/").json()["results"] == []
        answer = client.post(f"/api/v1/conflicts/{pk}/decide/", {"decision": "kept"},
                             format="json")  # fmt: skip
        assert answer.status_code == 404

    @pytest.mark.parametrize(
        "body", [{}, {"decision": "martian"}, {"decision": "kept", "note": "x" * 201},
                 {"decision": "kept", "extra": 1}, ["kept"]],
    )  # fmt: skip
    def test_bad_decisions_are_400(self, world, api_client, manager, body):
        _conflict(world)
        pk = OwnershipConflict.objects.get().pk
        answer = _as(api_client, manager).post(f"/api/v1/conflicts/{pk}/decide/", body,
                                               format="json")  # fmt: skip
        assert answer.status_code == 400 and answer.json()["code"] == "invalid"
        assert OwnershipConflict.objects.get().status == "open"

    def test_the_conflicts_page_is_paged(self, world, client, manager):
        for _ in range(23):
            _conflict(world)
        client.force_login(manager)
        first = client.get(reverse("customers:conflicts"))
        assert first.content.count(b'data-testid="conflict"') == 20
        assert b'data-testid="next-page"' in first.content
        second = client.get(reverse("customers:conflicts"), {"page": 2})
        assert second.content.count(b'data-testid="conflict"') == 3
        assert b'data-testid="next-page"' not in second.content
        for hostile in (HUGE, "-1", "²", "𐩀"):
            assert client.get(reverse("customers:conflicts"), {"page": hostile}).status_code == 200


class TestKeyDates:
    def test_add_list_remove(self, world, api_client):
        c1 = world.consultants["p1"][0]
        customer = world.register(c1).customer
        client = _as(api_client, c1)
        url = f"/api/v1/customers/{customer.pk}/key-dates/"
        made = client.post(url, {"kind": "anniversary", "date": "2026-05-20", "note": "结婚"},
                           format="json")  # fmt: skip
        assert made.status_code == 201, made.json()
        assert [d["note"] for d in client.get(url).json()] == ["结婚"]
        gone = client.delete(f"{url}{made.json()['id']}/")
        assert gone.status_code == 204
        assert client.get(url).json() == []

    @pytest.mark.parametrize(
        "body", [{"kind": "x", "date": "2026-01-01"}, {"kind": "other", "date": "2026-13-01"},
                 {"kind": "other", "date": "2026-01-01", "note": "长" * 101}, {"kind": "other"}],
    )  # fmt: skip
    def test_bad_input_is_400(self, world, api_client, body):
        c1 = world.consultants["p1"][0]
        customer = world.register(c1).customer
        answer = _as(api_client, c1).post(f"/api/v1/customers/{customer.pk}/key-dates/", body,
                                          format="json")  # fmt: skip
        assert answer.status_code == 400

    def test_someone_elses_customer_is_404(self, world, api_client):
        c1 = world.consultants["p1"][0]
        customer = world.register(c1).customer
        other = world.consultants["p3"][0]
        url = f"/api/v1/customers/{customer.pk}/key-dates/"
        assert _as(api_client, other).get(url).status_code == 404
        answer = api_client.post(url, {"kind": "other", "date": "2026-01-01"}, format="json")
        assert answer.status_code == 404


class TestMedia:
    def test_manager_adds_renames_and_retires_a_medium(self, world, api_client, manager):
        client = _as(api_client, manager)
        made = client.post("/api/v1/media/", {"project": world.p1.pk, "name": "抖音",
                                              "kind": "online"}, format="json")  # fmt: skip
        assert made.status_code == 201, made.json()
        pk = made.json()["id"]
        retired = client.patch(f"/api/v1/media/{pk}/", {"is_active": False}, format="json")
        assert retired.status_code == 200 and retired.json()["is_active"] is False
        assert Medium.objects.get(pk=pk).name == "抖音"
        duplicate = client.post("/api/v1/media/", {"project": world.p1.pk, "name": "抖音",
                                                   "kind": "online"}, format="json")  # fmt: skip
        assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate_name"

    def test_a_consultant_may_not_and_other_projects_are_invisible(self, world, api_client,
                                                                   manager):  # fmt: skip
        c1 = world.consultants["p1"][0]
        medium = world.medium(world.p1)
        answer = _as(api_client, c1).patch(f"/api/v1/media/{medium.pk}/", {"name": "改"},
                                           format="json")  # fmt: skip
        assert answer.status_code == 403
        made = api_client.post("/api/v1/media/", {"project": world.p1.pk, "name": "抖音",
                                                  "kind": "online"}, format="json")  # fmt: skip
        assert made.status_code == 403
        p3_medium = world.medium(world.p3)
        answer = _as(api_client, manager).patch(f"/api/v1/media/{p3_medium.pk}/",
                                                {"name": "改"}, format="json")  # fmt: skip
        assert answer.status_code == 404
        assert Medium.objects.get(pk=medium.pk).name == medium.name

    @pytest.mark.parametrize(
        "body", [{"project": 1, "name": "", "kind": "online"},
                 {"project": 1, "name": "x" * 41, "kind": "online"},
                 {"project": 1, "name": "x", "kind": "martian"},
                 {"project": HUGE, "name": "x", "kind": "online"},
                 {"project": "²", "name": "x", "kind": "online"}],
    )  # fmt: skip
    def test_bad_input_is_400(self, world, api_client, manager, body):
        body = {**body, "project": world.p1.pk if body["project"] == 1 else body["project"]}
        answer = _as(api_client, manager).post("/api/v1/media/", body, format="json")
        assert answer.status_code == 400, answer.json()


class TestStaff:
    def test_names_and_roles_of_my_projects_only(self, world, api_client, manager):
        c1, c2 = world.consultants["p1"]
        rows = _as(api_client, c1).get("/api/v1/staff/").json()
        names = {row["name"] for row in rows}
        assert {c1.name, c2.name, manager.name} <= names
        assert world.consultants["p3"][0].name not in names
        assert all(set(row) == {"id", "name", "roles"} for row in rows)


@pytest.mark.parametrize(
    "path",
    [f"/api/v1/customers/{HUGE}/history/", f"/api/v1/conflicts/{HUGE}/decide/",
     f"/api/v1/customers/{HUGE}/key-dates/", f"/api/v1/media/{HUGE}/"],
)  # fmt: skip
def test_huge_path_ids_are_404_not_500(world, api_client, manager, path):
    client = _as(api_client, manager)
    answer = client.get(path) if "decide" not in path and "media" not in path else (
        client.post(path, {"decision": "kept"}, format="json") if "decide" in path
        else client.patch(path, {"name": "x"}, format="json")
    )  # fmt: skip
    assert answer.status_code == 404
