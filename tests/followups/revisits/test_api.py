"""followups/revisits: the API.

回访计划: a plan from a customer filter, tasks on each owner's My day, completion by a
follow-up inside the window, the report, the manager's review, and the tick's close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from anchang.followups.models import RevisitPlan, RevisitTask
from tests.followups.revisits.helpers import REPORT, make_plan, record, today


class TestApi:
    def test_create_read_report_review(self, team, api_client):
        world, manager, c1, *_ = team
        api_client.force_authenticate(c1)
        body = {
            "project": world.p1.pk, "title": "API 回访", "purpose": "邀约到访",
            "starts_on": today().isoformat(),
            "due_on": (today() + timedelta(days=5)).isoformat(), "criteria": {"q": "王"},
        }  # fmt: skip
        created = api_client.post(reverse("api:revisit-plans"), body, format="json")
        assert created.status_code == 201, created.content
        data = created.json()
        assert data["progress"]["targets"] == 3 and data["status"] == "open"
        pk = data["id"]
        listing = api_client.get(reverse("api:revisit-plans")).json()
        assert [row["id"] for row in listing["results"]] == [pk]
        assert listing["results"][0]["targets"] == 3
        day = api_client.get(reverse("api:my-day-reminders")).json()
        assert len(day["revisit_tasks"]) == 3 and day["revisit_tasks"][0]["plan"] == pk
        record(c1, RevisitTask.objects.filter(plan_id=pk).first().customer)
        detail = api_client.get(reverse("api:revisit-plan", args=[pk])).json()
        assert detail["progress"]["done"] == 1
        assert detail["progress"]["per_owner"][0]["owner"] == c1.pk
        reported = api_client.post(reverse("api:revisit-report", args=[pk]), {"report": REPORT},
                                   format="json")  # fmt: skip
        assert reported.status_code == 200 and reported.json()["progress"]["missed"] == 2
        refused = api_client.post(reverse("api:revisit-review", args=[pk]), {"comment": "好"},
                                  format="json")  # fmt: skip
        assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
        api_client.force_authenticate(manager)
        reviewed = api_client.post(reverse("api:revisit-review", args=[pk]), {"comment": "好"},
                                   format="json")  # fmt: skip
        assert reviewed.status_code == 200 and reviewed.json()["status"] == "reviewed"
        again = api_client.post(reverse("api:revisit-review", args=[pk]), {"comment": "好"},
                                format="json")  # fmt: skip
        assert again.status_code == 409 and again.json()["code"] == "already_reviewed"

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"title": ""}, "title"),
            ({"title": "x" * 101}, "title"),
            ({"due_on": "yesterday"}, "due_on"),
            ({"project": "p1"}, "project"),
            ({"project": 99999}, "project"),
            ({"criteria": ["q", "王"]}, "criteria"),
            ({"criteria": {"q": {"$gt": ""}}}, "criteria.q"),
            ({"criteria": {"is_superuser": True}}, "criteria.is_superuser"),
            ({"criteria": {"q": "没有"}}, "criteria"),
            ({"owner": 1}, "owner"),
        ],
    )
    def test_bad_input_answers_in_the_house_shape(self, team, api_client, change, field):
        world, manager, *_ = team
        api_client.force_authenticate(manager)
        body = {
            "project": world.p1.pk, "title": "回访", "purpose": "邀约", "criteria": {},
            "starts_on": today().isoformat(), "due_on": today().isoformat(),
        }  # fmt: skip
        response = api_client.post(reverse("api:revisit-plans"), {**body, **change}, format="json")
        assert response.status_code == 400, response.content
        payload = response.json()
        assert set(payload) == {"code", "message", "fields"} and field in payload["fields"]
        assert not RevisitPlan.objects.exists()

    def test_another_projects_manager_gets_404(self, team, api_client, other_manager):
        world, manager, *_ = team
        plan = make_plan(manager, world.p1)
        api_client.force_authenticate(other_manager)
        for name, method in (("api:revisit-plan", "get"), ("api:revisit-review", "post"),
                             ("api:revisit-report", "post")):  # fmt: skip
            response = getattr(api_client, method)(reverse(name, args=[plan.pk]), {},
                                                   format="json")  # fmt: skip
            assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert api_client.get(reverse("api:revisit-plans")).json()["results"] == []

    def test_paths_are_in_the_schema(self, db, api_client):
        schema = api_client.get(reverse("api:schema"), {"format": "json"}).json()
        base = "/api/v1/revisit-plans/"
        for path in (base, base + "{id}/", base + "{id}/report/", base + "{id}/review/"):
            assert path in schema["paths"], path
