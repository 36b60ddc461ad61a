"""The customer list in a browser: a phone shows at least 8 customers on its first screen,
two lines each, for every role that lists customers; the desk shows the grade and the next
follow-up as columns; the filter panel is applied by its own button."""

from __future__ import annotations

import pytest

from anchang.demo.build import DEMO_PASSWORD
from anchang.org.models import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LISTING_ROLES = [Role.CONSULTANT, Role.MANAGER, Role.CLERK, Role.PLANNER, Role.ADMIN]


def rows_on_first_screen(page) -> int:
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=customer-table] tbody tr')]
               .filter(r => r.getBoundingClientRect().bottom <= window.innerHeight).length"""
    )


@pytest.mark.parametrize("role", LISTING_ROLES)
def test_a_phone_shows_eight_customers_on_its_first_screen(open_tab, demo, role):
    tab = open_tab("375", locale="zh-CN")
    tab.login(demo.logins[role], DEMO_PASSWORD)
    tab.goto("/customers/")
    rows = tab.page.locator("[data-testid=customer-table] tbody tr").count()
    assert rows_on_first_screen(tab.page) >= min(8, rows)  # the demo consultant has 5
    first = tab.page.locator("[data-testid=customer-table] tbody tr").first
    assert first.bounding_box()["height"] < 64  # two lines, not a card of six
    right = tab.page.evaluate(
        "document.querySelector('[data-testid=customer-table]').getBoundingClientRect().right"
    )
    assert right <= 375  # the whole row on the screen, not a table cut at its edge
    tab.shot(f"customer-list-{role}")
    tab.assert_clean()


def test_the_desk_list_has_grade_and_next_follow_up_and_the_panel_applies(open_tab, demo):
    tab = open_tab("1280", locale="zh-CN")
    tab.login(demo.logins[Role.MANAGER], DEMO_PASSWORD)
    tab.goto("/customers/")
    headers = tab.page.locator("[data-testid=customer-table] thead th").all_inner_texts()
    assert "意向等级" in headers and "下次跟进" in headers
    page = tab.page
    page.locator("[data-testid=customer-filter] summary").click()
    page.select_option("#id_grade", "A")
    with page.expect_navigation():
        page.get_by_test_id("apply-filters").click()
    assert "grade=A" in tab.path()
    grades = page.locator("[data-testid=customer-table] tbody td.c-grade").all_inner_texts()
    assert grades and {g.strip() for g in grades} == {"A"}
    assert page.get_by_test_id("customer-total").inner_text().strip()
    tab.shot("customer-list-grade-a")
    tab.assert_clean()
