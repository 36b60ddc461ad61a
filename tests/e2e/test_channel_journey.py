"""A channel agent on a 375 px phone reports a customer and learns it is valid; the customer
visits the sales centre and the consultant registers the visit; the agent's page then shows
the report visited (credited to the channel); the manager sees it on the channel page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from anchang.assignment.models import ChannelReport
from anchang.customers.models import Medium
from anchang.customers.services import registration_submit
from anchang.demo.build import DEMO_PASSWORD
from anchang.org.models import Project, Role, User
from tests.customers.helpers import FIRST_VISIT

pytestmark = pytest.mark.e2e


def _staff(project: Project, role: str) -> list[User]:
    return list(
        User.objects.filter(
            memberships__project=project, memberships__role=role, memberships__is_active=True
        ).order_by("pk")
    )


def test_an_agent_reports_on_a_phone_and_the_visit_is_credited(open_tab, demo):
    project = Project.objects.get(kind="real_estate")
    agent = _staff(project, Role.CHANNEL)[0]
    consultant = _staff(project, Role.CONSULTANT)[0]
    manager = _staff(project, Role.MANAGER)[0]
    phone = open_tab("375", locale="zh-CN")
    page = phone.page
    phone.goto("/")
    phone.login(agent.username, DEMO_PASSWORD)
    phone.goto("/channel/")
    page.fill("#id_name", "周先生")
    page.fill("#id_phone", "134 9888 0001")
    page.get_by_test_id("report-submit").click()
    page.wait_for_load_state("load")
    report = ChannelReport.objects.get(agent=agent, phone="+8613498880001")
    assert report.status == "valid"
    rows = page.get_by_test_id("report-row")
    assert "134****0001" in rows.first.inner_text()
    phone.shot("channel-reported")

    registration_submit(
        actor=consultant, project=project, kind="visit", name="周先生", gender="m",
        phone="13498880001", medium_id=Medium.objects.get(project=project, kind="channel").pk,
        content="渠道带看，客户对三居室感兴趣，预算三百万左右", occurred_at=timezone.now(),
        profile=FIRST_VISIT,
    )  # fmt: skip
    report.refresh_from_db()
    assert report.status == "visited" and report.customer is not None
    phone.goto("/channel/")
    assert "已到访" in page.get_by_test_id("report-row").first.inner_text()
    phone.shot("channel-visited")

    desk = open_tab("1280", locale="zh-CN")
    desk.goto("/")
    desk.login(manager.username, DEMO_PASSWORD)
    desk.goto(f"/channel/reports/?project={project.pk}")
    assert desk.page.get_by_test_id("channel-report-row").count() >= 1
    desk.shot("channel-reports")

    # 渠道撞单: a second reported customer walks in saying they saw the billboard; the manager
    # reads the clash on the reports page and decides it was the visitor's own.
    page.goto(phone.url("/channel/"))
    page.fill("#id_name", "吴女士")
    page.fill("#id_phone", "134 9888 0002")
    page.get_by_test_id("report-submit").click()
    page.wait_for_load_state("load")
    registration_submit(
        actor=consultant, project=project, kind="visit", name="吴女士", gender="f",
        phone="13498880002", medium_id=Medium.objects.get(project=project, kind="billboard").pk,
        content="自己看到户外广告来的，对两居室感兴趣，首付预算有限", occurred_at=timezone.now(),
        profile=FIRST_VISIT,
    )  # fmt: skip
    clash = ChannelReport.objects.get(agent=agent, phone="+8613498880002")
    assert clash.status == "disputed"
    desk.goto(f"/channel/reports/?project={project.pk}")
    form = desk.page.get_by_test_id("channel-decide").first
    form.locator("input[name=note]").fill("客户说是自己看到户外广告来的")
    desk.shot("channel-clash")
    form.get_by_test_id("decide-own").click()
    desk.page.wait_for_load_state("load")
    clash.refresh_from_db()
    assert (clash.status, clash.reason) == ("invalid", "walk_in")
