"""Follow-up engine in the browser: My day on a phone, a loss applied for and approved, a
pool customer claimed. Each step is a person's tap; the database is checked after it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anchang.customers.models import Customer
from anchang.demo.build import DEMO_PASSWORD
from anchang.followups.models import FollowUp, LossApplication
from anchang.org.models import Role, User

pytestmark = pytest.mark.e2e

CONTENT = "电话沟通了首付比例和贷款年限，客户说周末带父母来看样板间，重点关注学区和交房时间"


def _user(demo, role: str) -> User:
    return User.objects.get(username=demo.logins[role])


def _drop_expected_400(tab) -> None:
    # A rejected form answers 400 on purpose; the browser logs that as a console error.
    tab.problems[:] = [p for p in tab.problems if "400" not in p]


def test_consultant_works_through_my_day_on_a_phone(open_tab, demo):
    consultant = _user(demo, Role.CONSULTANT)
    today = timezone.localdate()
    overdue = list(Customer.objects.filter(owner=consultant, state="prospect").order_by("id")[:2])
    for i, customer in enumerate(overdue):
        # worst first: the nearest grade to buying (A on a real-estate project), then days late
        customer.next_follow_up_on = today - timedelta(days=300 + i)
        customer.grade = "A"
        customer.save(update_fields=["next_follow_up_on", "grade"])
    tab = open_tab("375", locale="zh-CN")
    page = tab.page
    tab.goto("/")
    tab.login(consultant.username, DEMO_PASSWORD)
    before = int(page.get_by_test_id("overdue-count").inner_text())
    assert before >= 2
    tab.shot("my-day")
    # the worst first (grade, then days late); one tap to record
    row = page.get_by_test_id("overdue").locator(".list-group-item").first
    assert overdue[1].name in row.inner_text()
    row.get_by_role("link", name="记录").click()
    page.wait_for_load_state("load")
    form = page.get_by_test_id("followup-form")
    form.locator("textarea[name=content]").fill("打了电话，客户在忙")
    page.get_by_test_id("followup-submit").click()
    page.wait_for_load_state("load")
    _drop_expected_400(tab)
    error = page.locator("[data-field-error=content]")
    assert "还需再写 21 个字" in error.inner_text()  # says how many characters are missing
    tab.shot("followup-too-short")
    form.locator("textarea[name=content]").fill(CONTENT)
    page.get_by_test_id("followup-submit").click()
    page.wait_for_url(tab.url("/"))
    assert int(page.get_by_test_id("overdue-count").inner_text()) == before - 1
    recorded = FollowUp.objects.get(customer=overdue[1], author=consultant, content=CONTENT)
    assert recorded.reached and recorded.kind == "phone"
    customer = Customer.objects.get(pk=overdue[1].pk)
    assert customer.next_follow_up_on > today  # back on the cadence
    tab.shot("my-day-after")


def test_loss_applied_for_on_a_phone_and_approved_by_the_manager(open_tab, demo):
    consultant = _user(demo, Role.CONSULTANT)
    manager = _user(demo, Role.MANAGER)
    customer = (
        Customer.objects.filter(owner=consultant, state="prospect")
        .exclude(loss_applications__status="pending")
        .first()
    )
    phone = open_tab("375", locale="zh-CN")
    phone.goto("/")
    phone.login(consultant.username, DEMO_PASSWORD)
    phone.goto(f"/customers/{customer.pk}/")
    phone.page.get_by_test_id("loss-apply").click()
    phone.page.wait_for_load_state("load")
    phone.page.locator("input[name=reason][value=bought_elsewhere]").check()
    phone.page.get_by_test_id("loss-submit").click()
    phone.page.wait_for_load_state("load")
    _drop_expected_400(phone)
    assert phone.page.locator("[data-field-error=competitor]").is_visible()  # name them
    phone.page.locator("input[name=competitor]").fill("绿城桂语朝阳")
    phone.page.get_by_test_id("loss-submit").click()
    phone.page.wait_for_url(phone.url(f"/customers/{customer.pk}/"))
    assert phone.page.get_by_test_id("loss-status").is_visible()
    application = LossApplication.objects.get(customer=customer, status="pending")

    desk = open_tab("1280", locale="zh-CN")
    desk.goto("/")
    desk.login(manager.username, DEMO_PASSWORD)
    desk.goto("/loss-applications/")
    card = desk.page.get_by_test_id("loss-application").filter(has_text=customer.name)
    card.locator("input[value=approve]").check()
    card.locator("input[name=comment]").fill("同意，已核实")
    card.get_by_role("button").click()
    desk.page.wait_for_load_state("load")
    application.refresh_from_db()
    assert application.status == "approved" and application.decided_by == manager
    assert Customer.objects.get(pk=customer.pk).state == "lost"
    desk.shot("loss-approved")


def test_consultant_claims_a_pool_customer_on_a_phone(open_tab, demo):
    consultant = _user(demo, Role.CONSULTANT)
    project = consultant.memberships.get(role=Role.CONSULTANT).project
    pooled = Customer.objects.filter(project=project, pool_entered_at__isnull=False)
    claimable = pooled.exclude(pool_events__kind="reclaimed", pool_events__from_owner=consultant)
    if not claimable.exists():  # the small demo may have none: one runs out of time now
        customer = (
            Customer.objects.filter(project=project, state="prospect")
            .exclude(owner=consultant)
            .exclude(pool_events__kind="reclaimed", pool_events__from_owner=consultant)
            .first()
        )
        customer.owner = None
        customer.owned_since = None
        customer.pool_entered_at = timezone.now() - timedelta(days=1)
        customer.save()
    target = (
        pooled.exclude(pool_events__kind="reclaimed", pool_events__from_owner=consultant)
        .order_by("-pool_entered_at", "-id")
        .first()
    )
    tab = open_tab("375", locale="zh-CN")
    page = tab.page
    tab.goto("/")
    tab.login(consultant.username, DEMO_PASSWORD)
    tab.open_menu()
    page.get_by_test_id("nav").get_by_role("link", name="公海").click()
    page.wait_for_load_state("load")
    row = page.get_by_test_id("pool-customer").filter(has_text=target.name).first
    assert "****" in row.inner_text()  # phones masked in the pool
    tab.shot("pool")
    row.get_by_role("button", name="领取").click()
    page.wait_for_load_state("load")
    assert "请今天联系" in page.locator(".alert").first.inner_text()
    target.refresh_from_db()
    assert target.owner == consultant and target.pool_entered_at is None
    assert page.get_by_test_id("claimed-today").inner_text().startswith("1 /")
    tab.goto("/")
    assert target.name in page.get_by_test_id("due-today").inner_text()
    tab.shot("pool-claimed-my-day")
