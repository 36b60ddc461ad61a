"""回访计划 in the browser: a manager plans a revisit round from the customer list's filter on
a desktop; the consultant finds the task on My day on a phone, records the call, and the
task is done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anchang.demo.build import DEMO_PASSWORD
from anchang.followups.models import RevisitPlan, RevisitTask
from anchang.org.models import Role, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CALL_NOTE = "电话回访：客户确认周六上午带家人来看样板间，关注学区和首付比例。"


def test_manager_plans_a_round_and_the_consultant_works_it_on_a_phone(open_tab, demo):
    manager = User.objects.get(username=demo.logins[Role.MANAGER])
    project = manager.memberships.get(role=Role.MANAGER).project
    consultant = (
        User.objects.filter(memberships__project=project, memberships__role=Role.CONSULTANT)
        .order_by("id")
        .first()
    )

    RevisitPlan.objects.all().delete()  # the journey starts in an office with no plan yet
    desk = open_tab("1280", locale="zh-CN")
    page = desk.page
    desk.login(manager.username, DEMO_PASSWORD)
    desk.goto(f"/customers/?owner={consultant.pk}")
    page.get_by_test_id("revisit-from-filter").click()
    page.wait_for_load_state("load")
    assert desk.path().startswith("/revisit-plans/new/?")
    matched = int(page.get_by_test_id("match-count").get_attribute("data-targets"))
    assert matched > 0
    page.select_option("#id_project", str(project.pk))
    page.fill("#id_title", "老客户回访：新样板间开放")
    page.fill("#id_purpose", "邀请老客户周六来看新样板间")
    page.fill("#id_talking_points", "1. 问候近况\n2. 介绍开放日\n3. 约到访时间")
    due = timezone.localdate() + timedelta(days=5)
    page.fill("#id_due_on", due.isoformat())
    desk.shot("revisit-new")
    page.get_by_test_id("revisit-create").click()
    page.wait_for_load_state("load")
    plan = RevisitPlan.objects.get(title="老客户回访：新样板间开放")  # not the demo's plan
    assert desk.path() == f"/revisit-plans/{plan.pk}/"
    assert page.get_by_test_id("progress-targets").inner_text() == str(matched)
    assert plan.tasks.count() == matched
    assert set(plan.tasks.values_list("owner_id", flat=True)) == {consultant.pk}
    desk.shot("revisit-plan")
    desk.assert_clean()

    phone = open_tab("375", locale="zh-CN")
    page = phone.page
    phone.login(consultant.username, DEMO_PASSWORD)
    tasks = page.get_by_test_id("revisit-task")
    expect(tasks).to_have_count(matched)  # My day fetches its reminders once drawn
    assert "老客户回访：新样板间开放" in tasks.first.inner_text()
    assert "邀请老客户周六来看新样板间" in tasks.first.inner_text()
    phone.shot("revisit-my-day")
    tasks.first.get_by_test_id("revisit-record").click()
    page.wait_for_load_state("load")
    customer_id = int(phone.path().split("/")[2])
    page.fill("#id_content", CALL_NOTE)
    page.get_by_test_id("followup-submit").click()
    page.wait_for_load_state("load")
    assert phone.path() == "/"
    task = RevisitTask.objects.get(plan=plan, customer_id=customer_id)
    assert task.status == "done" and task.reached is True and task.followup_id
    expect(page.get_by_test_id("revisit-task")).to_have_count(matched - 1)
    phone.goto(f"/revisit-plans/{plan.pk}/")
    assert page.get_by_test_id("progress-done").inner_text() == "1"
    assert page.get_by_test_id("task-done").count() == 1
    phone.shot("revisit-plan-consultant")
    phone.goto("/revisit-plans/")
    assert page.get_by_test_id("revisit-plan-row").count() == 1  # they hold tasks in it
    phone.shot("revisit-list")
    phone.goto("/revisit-plans/new/")
    assert int(page.get_by_test_id("match-count").get_attribute("data-targets")) == matched
    phone.shot("revisit-new")
    phone.assert_clean()
