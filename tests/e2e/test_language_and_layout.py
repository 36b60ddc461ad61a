"""The language switch, and every role's pages on a phone in the default language."""

from __future__ import annotations

import pytest

from anchang.demo.build import DEMO_PASSWORD
from anchang.org.models import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def html_lang(page) -> str:
    return page.evaluate("document.documentElement.lang")


def switch_language(tab, code: str) -> None:
    page = tab.page
    before = tab.path()
    with page.expect_navigation():
        page.get_by_test_id(f"lang-{code}").click()
    page.wait_for_load_state("load")
    assert tab.path() == before, "the switch returns to the page it was used on"
    assert "btn-secondary" in page.get_by_test_id(f"lang-{code}").get_attribute("class").split()


def test_language_switch_changes_html_lang(open_tab, demo):
    tab = open_tab("375", locale="zh-CN")
    page = tab.page
    tab.goto("/login/")
    assert html_lang(page) == "zh-CN"
    # Each language is offered under its own name, whichever language the page is in.
    assert page.get_by_test_id("lang-en").inner_text().strip() == "English"
    assert page.get_by_test_id("lang-zh-hans").inner_text().strip() == "简体中文"
    tab.shot("login-zh")

    switch_language(tab, "en")
    assert html_lang(page) == "en"
    assert page.get_by_test_id("lang-en").inner_text().strip() == "English"
    assert page.get_by_test_id("lang-zh-hans").inner_text().strip() == "简体中文"
    tab.shot("login-en")

    # The choice sticks through the log-in and on other pages.
    tab.login(demo.logins[Role.CONSULTANT], DEMO_PASSWORD)
    assert tab.path() == "/"
    assert html_lang(page) == "en"
    tab.goto("/customers/")
    switch_language(tab, "zh-hans")
    assert html_lang(page) == "zh-CN"
    tab.goto("/")
    assert html_lang(page) == "zh-CN"
    tab.assert_clean()


# Every role, default language (zh-Hans), phone: home, menu, and every page the menu links.
@pytest.mark.parametrize(
    "role",
    [
        Role.CONSULTANT,
        Role.MANAGER,
        Role.CLERK,
        Role.PLANNER,
        Role.CARE,
        Role.MARKETING,
        Role.AUDITOR,
        Role.ADMIN,
    ],
)
def test_every_menu_page_on_a_phone_in_chinese(open_tab, demo, role):
    tab = open_tab("375", locale="zh-CN")
    page = tab.page
    tab.login(demo.logins[role], DEMO_PASSWORD)
    assert tab.path() == "/"
    assert html_lang(page) == "zh-CN"
    tab.shot(f"zh-{role}-home")
    tab.open_menu()
    tab.shot(f"zh-{role}-menu", full_page=False)
    hrefs = page.eval_on_selector_all(
        "[data-testid=nav] a.nav-link", "links => links.map(a => a.getAttribute('href'))"
    )
    # Account pages from the user menu, for everyone.
    for href in [h for h in hrefs if h != "/"] + ["/org/tokens/", "/password/"]:
        response = tab.goto(href)
        assert response.status == 200, href
        name = href.strip("/").replace("/", "-")
        tab.shot(f"zh-{role}-{name}")
        # Follow the first row of a list to its detail page (customer, project rules).
        first = page.locator("main [data-testid=customer-table] tbody a, main .list-group a")
        if first.count():
            first.first.click()
            page.wait_for_load_state("load")
            tab.shot(f"zh-{role}-{name}-detail")
    tab.assert_clean()
