"""Intake in the browser: register → card → list → search as a consultant on a phone;
conflicts, filters and a phone reveal as a manager on a desktop."""

from __future__ import annotations

import pytest

from anchang.audit.models import AuditEntry
from anchang.customers.models import Customer, OwnershipConflict, Registration
from anchang.customers.services import registration_submit
from anchang.demo.build import DEMO_PASSWORD
from anchang.org.models import Role, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def user(role, demo) -> User:
    return User.objects.get(username=demo.logins[role])


def expect_only_status(tab, status: int) -> None:
    """A refused form answers 4xx, which Chromium logs as a failed resource; that one is
    expected. Anything else on the page is still a problem."""
    unexpected = [p for p in tab.problems if f"status of {status}" not in p]
    assert not unexpected, unexpected
    tab.problems.clear()


def fill_registration(page, *, name, phone, visit=True):
    page.check("#id_kind_1" if visit else "#id_kind_0")
    page.fill("#id_name", name)
    page.check("#id_gender_1")
    page.fill("#id_phone", phone)
    page.select_option("#id_medium", index=1)
    page.fill("#id_content", "带孩子来看样板间，关注学区和三居室户型，预算四百万以内")


def test_consultant_registers_a_visit_and_finds_the_customer(open_tab, demo):
    consultant = user(Role.CONSULTANT, demo)
    tab = open_tab("375", locale="zh-CN")
    page = tab.page
    tab.login(consultant.username, DEMO_PASSWORD)
    tab.open_menu()
    page.get_by_test_id("nav").locator("a[href='/customers/register/']").click()
    page.wait_for_url(tab.url("/customers/register/"))
    fill_registration(page, name="欧阳娜娜", phone="139 8888 6666")
    page.get_by_test_id("register-submit").click()
    page.wait_for_load_state("load")
    # A first visit needs the first-visit profile: every missing field is named.
    assert page.locator("[data-field-error=unit_type]").is_visible()
    assert page.locator("[data-field-error=age_band]").is_visible()
    assert not Customer.objects.filter(name="欧阳娜娜").exists()
    expect_only_status(tab, 400)
    tab.shot("register-errors")

    page.select_option("#id_age_band", "35_44")
    page.fill("#id_address_area", "西湖区")
    page.select_option("#id_family_structure", "young_children")
    page.select_option("#id_industry", "it")
    page.select_option("#id_purpose", "education")
    page.select_option("#id_unit_type", "room_3")
    page.fill("#id_area_min", "110")
    page.fill("#id_budget_max", "400")
    page.get_by_test_id("register-submit").click()
    page.wait_for_load_state("load")
    customer = Customer.objects.get(name="欧阳娜娜")
    assert tab.path() == f"/customers/{customer.pk}/"
    assert page.get_by_test_id("customer-phone").inner_text() == "139 8888 6666"
    percent = page.get_by_test_id("completeness-percent").inner_text()
    assert percent == f"{customer.completeness}%"
    assert page.get_by_test_id("timeline").locator("tbody tr").count() == 1
    tab.shot("customer-card")

    # A second registration of the same phone is a return visit of the same card.
    tab.goto("/customers/register/")
    fill_registration(page, name="欧阳女士", phone="13988886666", visit=False)
    page.get_by_test_id("register-submit").click()
    page.wait_for_load_state("load")
    assert tab.path() == f"/customers/{customer.pk}/"
    assert page.get_by_test_id("customer-name").inner_text() == "欧阳娜娜"
    assert page.get_by_test_id("timeline").locator("tbody tr").count() == 2
    assert Customer.objects.filter(phone="+8613988886666").count() == 1

    for query in ("oynn", "ouyang", "欧阳", "6666", "139 8888 6666"):
        tab.goto("/customers/")
        page.get_by_test_id("search").fill(query)
        page.get_by_test_id("search").press("Enter")
        page.wait_for_load_state("load")
        rows = page.get_by_test_id("customer-table").locator("tbody a:not([href^='tel:'])")  # names
        names = rows.all_inner_texts()
        assert names == ["欧阳娜娜"], (query, names)
    tab.shot("customer-search")
    tab.assert_clean()


def test_manager_decides_a_conflict_filters_and_reveals(open_tab, demo):
    manager = user(Role.MANAGER, demo)
    project = manager.memberships.get(role=Role.MANAGER).project
    first, second = User.objects.filter(
        memberships__project=project, memberships__role=Role.CONSULTANT
    ).order_by("id")[:2]
    from django.utils import timezone

    medium = project.media.first()
    common = dict(
        project=project, kind="call", gender="m", phone="13700001111", medium_id=medium.pk,
        content="来电询问车位价格", occurred_at=timezone.now(),
    )  # fmt: skip
    owned = registration_submit(actor=first, name="撞单先生", **common).customer
    registration_submit(actor=second, name="撞单先生", **common)
    ours = OwnershipConflict.objects.filter(status="open", customer=owned)
    assert ours.count() == 1
    # the demo's own open conflict of this project is decided first, so ours stands alone
    for other in OwnershipConflict.objects.filter(status="open").exclude(customer=owned):
        other.status = "kept"
        other.save(update_fields=["status"])

    tab = open_tab("1280")
    page = tab.page
    tab.login(manager.username, DEMO_PASSWORD)
    tab.goto("/customers/conflicts/")
    card = page.get_by_test_id("conflict")
    assert card.count() == 1 and "撞单先生" in card.inner_text()
    tab.shot("conflicts")
    card.locator("input[value=kept]").check()
    # the same day's registrations propose a split: keeping the owner needs a note
    assert (
        "业绩分成" in card.get_by_test_id("proposed").inner_text() or "split" in card.inner_text()
    )
    card.locator("[name=note]").fill("客户说一直由原顾问联系")
    card.get_by_role("button").click()
    page.wait_for_load_state("load")
    assert page.get_by_test_id("no-conflicts").is_visible()
    assert OwnershipConflict.objects.get(customer=owned).status == "kept"
    owned.refresh_from_db()
    assert owned.owner == first

    tab.goto("/customers/?below_target=true")
    rows = page.get_by_test_id("customer-table").locator("tbody tr")
    assert rows.count() > 0
    tab.shot("below-target")

    tab.goto(f"/customers/{owned.pk}/")
    phone = page.get_by_test_id("customer-phone")
    assert "****" in phone.inner_text()
    page.get_by_test_id("reveal-toggle").click()
    page.fill("#id_reason", "客户来电要求回拨")
    page.get_by_test_id("reveal-submit").click()
    page.wait_for_load_state("load")
    assert page.get_by_test_id("revealed-phone").inner_text() == "137 0000 1111"
    assert AuditEntry.objects.filter(action="phone_revealed", actor=manager).count() == 1
    assert "/customers/" in tab.path() and "13700001111" not in tab.path()  # never in a URL
    tab.shot("revealed")
    assert Registration.objects.filter(customer=owned).count() == 2
    tab.assert_clean()
