"""followups/revisits: the pages (the HTML door).

回访计划: a plan from a customer filter, tasks on each owner's My day, completion by a
follow-up inside the window, the report, the manager's review, and the tick's close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from anchang.followups.models import RevisitPlan
from anchang.org.models import Role
from tests.conftest import make_user
from tests.followups.revisits.helpers import REPORT, make_plan, today


class TestPages:
    def test_create_from_the_customer_list_filter(self, team, client):
        world, manager, c1, *_ = team
        client.force_login(manager)
        listing = client.get(reverse("customers:list"), {"q": "王"}).content.decode()
        assert reverse("followups:revisit-new") + "?q=" in listing
        response = client.get(reverse("followups:revisit-new"), {"q": "王", "order": "name"})
        assert response.status_code == 200
        assert response.context["count"].targets == 5
        assert 'data-targets="5"' in response.content.decode()
        form = {
            "project": world.p1.pk, "title": "<b>回访</b>", "purpose": "邀约到访",
            "talking_points": "", "starts_on": today().isoformat(),
            "due_on": (today() + timedelta(days=3)).isoformat(), "q": "王",
        }  # fmt: skip
        preview = client.post(reverse("followups:revisit-new"),
                              {**form, "state": "prospect", "action": "preview"})  # fmt: skip
        assert preview.status_code == 200 and not RevisitPlan.objects.exists()
        created = client.post(reverse("followups:revisit-new"), {**form, "action": "create"})
        plan = RevisitPlan.objects.get()
        assert created.status_code == 302
        assert created["Location"] == reverse("followups:revisit-plan", args=[plan.pk])
        page = client.get(created["Location"]).content.decode()
        assert "&lt;b&gt;回访&lt;/b&gt;" in page and 'data-testid="progress-targets">5<' in page
        client.force_login(c1)
        home = client.get(reverse("followups:my-day-reminders")).content.decode()
        assert 'data-testid="revisit-tasks"' in home and "邀约到访" in home
        detail = client.get(reverse("followups:revisit-plan", args=[plan.pk])).content.decode()
        # a consultant sees their own customers' rows, not a colleague's
        assert "王一" in detail and "王五" not in detail

    @pytest.mark.parametrize(
        "data",
        [
            {},
            {"title": "x" * 101, "purpose": "p"},
            {"title": "t", "purpose": "p", "due_on": "2001-01-01"},
            {"title": "t", "purpose": "p", "q": "王" * 51},
            {"title": "t", "purpose": "p", "q": "没有这个人"},
            {"title": "t", "purpose": "p", "project": "abc"},
        ],
    )
    def test_bad_forms_say_why_and_create_nothing(self, team, client, data):
        world, manager, *_ = team
        client.force_login(manager)
        form = {
            "project": world.p1.pk, "action": "create", "starts_on": today().isoformat(),
            "due_on": (today() + timedelta(days=3)).isoformat(),
        }  # fmt: skip
        response = client.post(reverse("followups:revisit-new"), {**form, **data})
        assert response.status_code == 400
        page = response.content.decode()
        assert "invalid-feedback" in page or 'data-testid="form-error"' in page
        assert not RevisitPlan.objects.exists()

    def test_report_and_review_forms(self, team, client):
        world, manager, c1, *_ = team
        plan = make_plan(c1, world.p1)
        client.force_login(c1)
        url = reverse("followups:revisit-plan", args=[plan.pk])
        assert 'data-testid="report-form"' in client.get(url).content.decode()
        short = client.post(reverse("followups:revisit-report", args=[plan.pk]), {"report": "短"})
        assert short.status_code == 400 and b'data-field-error="report"' in short.content
        done = client.post(reverse("followups:revisit-report", args=[plan.pk]), {"report": REPORT})
        assert done.status_code == 302
        # a consultant cannot review: told so, nothing changes
        refused = client.post(
            reverse("followups:revisit-review", args=[plan.pk]), {"comment": "好"}
        )
        assert refused.status_code == 403
        client.force_login(manager)
        page = client.get(url).content.decode()
        assert 'data-testid="review-form"' in page and REPORT in page
        reviewed = client.post(reverse("followups:revisit-review", args=[plan.pk]),
                               {"comment": "不错"})  # fmt: skip
        assert reviewed.status_code == 302
        plan.refresh_from_db()
        assert plan.status == "reviewed" and plan.review_comment == "不错"
        again = client.post(reverse("followups:revisit-review", args=[plan.pk]), {"comment": "x"})
        assert again.status_code == 409

    def test_who_may_open_what(self, team, client, other_manager):
        world, manager, c1, c2, *_ = team
        plan = make_plan(c1, world.p1, criteria={"q": "李"})
        url = reverse("followups:revisit-plan", args=[plan.pk])
        client.force_login(other_manager)
        assert client.get(url).status_code == 404
        assert client.post(reverse("followups:revisit-report", args=[plan.pk]),
                           {"report": REPORT}).status_code == 404  # fmt: skip
        assert plan.title not in client.get(reverse("followups:revisit-plans")).content.decode()
        client.force_login(c2)  # no task in it, did not create it
        assert client.get(url).status_code == 404
        client.force_login(manager)
        assert client.get(url).status_code == 200
        assert client.get("/revisit-plans/abc/").status_code == 404
        clerk = world.grant(make_user("rv-clerk"), Role.CLERK)
        client.force_login(clerk)
        assert client.get(reverse("followups:revisit-plans")).status_code == 403
        assert client.get(reverse("followups:revisit-new")).status_code == 403

    def test_list_and_navigation(self, team, client, django_assert_max_num_queries):
        world, manager, c1, *_ = team
        for i in range(3):
            make_plan(manager, world.p1, title=f"第{i}轮")
        client.force_login(c1)
        with django_assert_max_num_queries(12):
            page = client.get(reverse("followups:revisit-plans")).content.decode()
        assert page.count('data-testid="revisit-plan-row"') == 3
        assert reverse("followups:revisit-plans") in client.get(reverse("home")).content.decode()
