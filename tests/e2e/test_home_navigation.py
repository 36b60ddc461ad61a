"""Log in, land on the role's home, find the way around: consultant, manager, admin, auditor."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from anchang.audit.models import AuditEntry
from anchang.customers.models import Customer
from anchang.customers.phones import format_phone, mask_phone
from anchang.customers.services import customer_reassign
from anchang.demo.build import DEMO_PASSWORD
from anchang.org.models import Membership, Role, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOT_BUILT_FOR_MANAGERS = ["Reports"]

ROWS_JS = "rows => rows.map(r => Array.from(r.cells, c => c.textContent.trim()))"


def table_rows(page, testid: str) -> list[list[str]]:
    return page.eval_on_selector_all(f"[data-testid={testid}] tbody tr", ROWS_JS)


def display_of(page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).display")


def assert_table_is_cards(tab, testid: str) -> None:
    """Phone: rows are cards (no header row; the customer list's are two-line flex rows);
    desktop: an ordinary table."""
    head = display_of(tab.page, f"[data-testid={testid}] thead")
    row = display_of(tab.page, f"[data-testid={testid}] tbody tr")
    if tab.is_phone:
        assert head == "none" and row in ("block", "flex")
    else:
        assert (head, row) == ("table-header-group", "table-row")


def nav_link_hrefs(page) -> list[str]:
    return page.eval_on_selector_all(
        "[data-testid=nav] a.nav-link", "links => links.map(a => a.getAttribute('href'))"
    )


def assert_not_built_items(page, labels: list[str]) -> None:
    nav = page.get_by_test_id("nav")
    for label in labels:
        # the item whose words begin with the label ("Reports", not "Channel reports")
        items = [el for el in nav.locator(".nav-link").all()
                 if el.inner_text().strip().startswith(label)]  # fmt: skip
        assert len(items) == 1, label
        item = items[0]
        assert item.evaluate("el => el.tagName") == "SPAN", f"{label} must not be a link"
        assert item.get_attribute("aria-disabled") == "true"
        assert item.get_attribute("href") is None


def open_nav_link(tab, href: str) -> None:
    tab.open_menu()
    tab.page.locator(f"[data-testid=nav] a[href='{href}']").click()
    tab.page.wait_for_url(tab.url(href))


def user(role: str, demo) -> User:
    return User.objects.get(username=demo.logins[role])


# --- 1. consultant ------------------------------------------------------------------------


def test_consultant_day_navigation_and_own_customers(open_tab, demo):
    consultant = user(Role.CONSULTANT, demo)
    own = Customer.objects.filter(owner=consultant)
    expected = sorted((c.name, format_phone(c.phone)) for c in own)
    # Five registered each; the pool rules may have moved some since (demo pool clocks).
    assert 1 <= len(expected) <= 7

    tab = open_tab("375")
    page = tab.page
    tab.goto("/")
    assert tab.path() == "/login/?next=/"
    tab.login(consultant.username, DEMO_PASSWORD)
    assert tab.path() == "/"

    my_day = page.get_by_test_id("my-day")
    assert my_day.is_visible()
    assert page.get_by_test_id("my-total").inner_text().strip() == str(len(expected))
    assert page.get_by_test_id("project-overview").count() == 0
    # Every customer on the agenda is one of the consultant's own.
    listed = set(my_day.locator("a[href^='/customers/']:not(.btn)").all_inner_texts())
    assert listed and listed <= {n for n, _ in expected}
    for section in ("overdue", "due-today", "new-without-followup", "care-dates"):
        expect(page.get_by_test_id(section)).to_be_visible()  # care dates: fetched once drawn

    # Phone: the navigation waits behind the toggler.
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    assert not page.get_by_test_id("nav").is_visible()
    assert toggler.get_attribute("aria-expanded") == "false"
    tab.shot("consultant-home")
    tab.open_menu()
    assert toggler.get_attribute("aria-expanded") == "true"
    nav = page.get_by_test_id("nav")
    assert nav.is_visible()
    customers_link = nav.get_by_role("link", name="Customers", exact=True)
    assert customers_link.is_visible()
    assert customers_link.get_attribute("href") == "/customers/"
    nav_text = nav.inner_text()
    for absent in ("Audit log", "Project rules", "Reports"):
        assert absent not in nav_text
    assert set(nav_link_hrefs(page)) == {
        "/",
        "/customers/register/",
        "/reception/",
        "/customers/",
        "/pool/",
        "/revisit-plans/",
        "/deals/board/",
        "/deals/",
    }
    tab.shot("consultant-menu-open", full_page=False)

    customers_link.click()
    page.wait_for_url(tab.url("/customers/"))
    rows = table_rows(page, "customer-table")
    # Name, grade, mobile (in full: they own every one), state, %, owner, contact, next.
    assert sorted((r[0], r[2]) for r in rows) == expected
    assert {r[5] for r in rows} == {str(consultant)}
    assert_table_is_cards(tab, "customer-table")
    assert page.get_by_test_id("export").count() == 0
    tab.shot("consultant-customers")

    # The same pages on a desktop: menu open without a toggler, a real table.
    wide = open_tab("1280")
    wide.login(consultant.username, DEMO_PASSWORD)
    assert not wide.page.locator(".navbar-toggler").is_visible()
    assert wide.page.get_by_test_id("nav").is_visible()
    assert wide.page.get_by_test_id("my-total").inner_text().strip() == str(len(expected))
    wide.shot("consultant-home")
    open_nav_link(wide, "/customers/")
    assert sorted((r[0], r[2]) for r in table_rows(wide.page, "customer-table")) == expected
    assert_table_is_cards(wide, "customer-table")
    wide.shot("consultant-customers")

    tab.assert_clean()
    wide.assert_clean()


# --- 2. manager ---------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", ["375", "1280"])
def test_manager_overview_and_a_colleagues_customer(open_tab, demo, viewport):
    manager = user(Role.MANAGER, demo)
    project = Membership.objects.get(user=manager, role=Role.MANAGER).project
    consultants = User.objects.filter(
        memberships__project=project, memberships__role=Role.CONSULTANT
    )
    in_project = Customer.objects.filter(project=project)

    tab = open_tab(viewport)
    page = tab.page
    tab.login(manager.username, DEMO_PASSWORD)
    assert tab.path() == "/"
    overview = page.get_by_test_id("project-overview")
    assert overview.is_visible()
    assert page.get_by_test_id("my-day").count() == 0
    card = overview.locator(".card", has_text=project.name)
    assert card.count() == 1
    assert project.name in card.locator(".card-header").inner_text()
    rows = card.locator("table").evaluate(
        "t => Array.from(t.tBodies[0].rows, r => Array.from(r.cells, c => c.textContent.trim()))"
    )
    assert sorted(r[0] for r in rows) == sorted(str(c) for c in consultants)
    for row in rows:
        owner = next(c for c in consultants if str(c) == row[0])
        assert row[1] == str(in_project.filter(owner=owner).count())
    if tab.is_phone:
        assert display_of(page, "[data-testid=project-overview] table thead") == "none"
    tab.shot("manager-home")

    tab.open_menu()
    nav = page.get_by_test_id("nav")
    assert nav.get_by_role("link", name="Customers", exact=True).is_visible()
    assert_not_built_items(page, NOT_BUILT_FOR_MANAGERS)
    assert "Audit log" not in nav.inner_text()
    open_nav_link(tab, "/customers/")
    listed = table_rows(page, "customer-table")
    assert sorted(r[0] for r in listed) == sorted(c.name for c in in_project)
    # owned by the project's consultants, or in the shared pool (no owner: "—")
    assert {r[5] for r in listed} <= {str(c) for c in consultants} | {"—"}
    tab.shot("manager-customers")

    # A customer of one of the project's consultants: visible, phone masked.
    customer = in_project.exclude(owner=manager).order_by("pk").first()
    assert customer.owner != manager
    page.locator(f"[data-testid=customer-table] a[href='/customers/{customer.pk}/']").click()
    page.wait_for_url(tab.url(f"/customers/{customer.pk}/"))
    assert page.get_by_test_id("customer-name").inner_text() == customer.name
    phone = page.get_by_test_id("customer-phone").inner_text().strip()
    assert phone == mask_phone(customer.phone)
    assert phone != customer.phone
    tab.shot("manager-customer-detail")

    # Another project's customer does not exist for this manager.
    elsewhere = Customer.objects.exclude(project=project).first()
    response = page.request.get(tab.url(f"/customers/{elsewhere.pk}/"))
    assert response.status == 404
    tab.assert_clean()


# --- 3. admin and auditor -----------------------------------------------------------------


def login_rows(page) -> list[list[str]]:
    # Time, who, action, object, project, IP, details.
    return [r for r in table_rows(page, "audit-table") if len(r) == 7 and r[2] == "Logged in"]


LONG_REASON = (
    "顾问离职，客户转交给同组同事继续跟进。"
    "Handed over: https://intranet.example/handover/2026/very-long-reference-without-spaces "
    "客户希望周末到访，已约好样板间。"
)


def reassign_with_a_long_reason(demo) -> Customer:
    manager = user(Role.MANAGER, demo)
    project = Membership.objects.get(user=manager, role=Role.MANAGER).project
    customer = Customer.objects.filter(project=project).order_by("pk").first()
    new_owner = (
        User.objects.filter(memberships__project=project, memberships__role=Role.CONSULTANT)
        .exclude(pk=customer.owner_id)
        .order_by("pk")
        .first()
    )
    return customer_reassign(
        actor=manager,
        customer=customer,
        new_owner_id=new_owner.pk,
        reason=LONG_REASON,
        version=customer.version,
    )


def nav_items_on_one_line(page) -> bool:
    return (
        page.eval_on_selector_all(
            "[data-testid=nav] .nav-link",
            "items => new Set(items.map(i => Math.round(i.getBoundingClientRect().height))).size",
        )
        == 1
    )


def test_admin_reads_the_audit_log_and_auditor_sees_no_customers(open_tab, demo):
    auditor = user(Role.AUDITOR, demo)
    admin = user(Role.ADMIN, demo)
    reassigned = reassign_with_a_long_reason(demo)

    watcher = open_tab("375")
    watcher.login(auditor.username, DEMO_PASSWORD)
    assert watcher.path() == "/"
    watcher.open_menu()
    hrefs = nav_link_hrefs(watcher.page)
    assert "/audit/" in hrefs
    assert "/customers/" not in hrefs
    nav = watcher.page.get_by_test_id("nav")
    assert nav.get_by_role("link", name="Audit log", exact=True).is_visible()
    assert "Customers" not in nav.inner_text()
    assert "Project rules" not in nav.inner_text()
    watcher.shot("auditor-home", full_page=False)
    open_nav_link(watcher, "/audit/")
    assert watcher.page.get_by_test_id("audit-table").is_visible()
    # Typing the customer list's address is refused: the role has no customer access.
    response = watcher.page.request.get(watcher.url("/customers/"))
    assert response.status == 403

    tab = open_tab("1280")
    page = tab.page
    tab.login(admin.username, DEMO_PASSWORD)
    nav = page.get_by_test_id("nav")
    assert nav.get_by_role("link", name="Audit log", exact=True).is_visible()
    assert nav.get_by_role("link", name="Project rules", exact=True).is_visible()
    assert {"/audit/", "/org/projects/"} <= set(nav_link_hrefs(page))
    assert nav_items_on_one_line(page), "no menu item breaks over two lines"
    tab.shot("admin-home")

    open_nav_link(tab, "/audit/")
    assert page.get_by_test_id("audit-table").is_visible()
    # Filter on log-ins through the form, as an auditor would.
    page.get_by_test_id("audit-filter").locator("select[name=action]").select_option("login")
    page.get_by_test_id("audit-filter").locator("button[type=submit]").click()
    page.wait_for_url("**/audit/?*action=login*")
    logins = login_rows(page)
    assert {r[1] for r in logins} == {str(admin), str(auditor)}
    assert all(r[5] for r in logins), "each log-in names the address it came from"
    assert_table_is_cards(tab, "audit-table")
    tab.shot("admin-audit-log")

    watcher.goto("/audit/?action=login")
    assert {r[1] for r in login_rows(watcher.page)} == {str(admin), str(auditor)}
    assert_table_is_cards(watcher, "audit-table")
    watcher.shot("auditor-audit-log")

    # A long free-text reason wraps instead of pushing the page sideways.
    for reader in (watcher, tab):
        reader.goto("/audit/?action=customer_reassigned")
        assert LONG_REASON in reader.page.get_by_test_id("audit-table").inner_text()
        reader.shot("audit-log-reassignment")
    tab.goto(f"/customers/{reassigned.pk}/")
    tab.shot("admin-customer-history")

    open_nav_link(tab, "/org/projects/")
    projects = page.locator("main .list-group-item").all_inner_texts()
    assert len(projects) == 3
    assert any("锦绣江南营销中心" in text for text in projects)
    tab.shot("admin-project-rules")

    watcher.assert_clean()
    tab.assert_clean()


def test_audit_log_opened_from_the_menu_lists_recent_entries(open_tab, demo):
    admin = user(Role.ADMIN, demo)
    tab = open_tab("1280")
    tab.login(admin.username, DEMO_PASSWORD)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN, actor=admin).exists()
    open_nav_link(tab, "/audit/")
    assert str(admin) in {r[1] for r in login_rows(tab.page)}


# --- 4. wrong password, log-out ------------------------------------------------------------


@pytest.mark.parametrize("viewport", ["375", "1280"])
def test_wrong_password_then_log_out(open_tab, demo, viewport):
    username = demo.logins[Role.CONSULTANT]
    tab = open_tab(viewport)
    page = tab.page
    tab.login(username, "not-the-password")
    assert tab.path().startswith("/login/")
    error = page.get_by_test_id("form-error")
    assert error.is_visible()
    assert error.inner_text().strip()
    assert page.locator("#id_username").input_value() == username
    assert page.locator("#id_password").input_value() == ""
    assert page.get_by_test_id("nav").count() == 0
    tab.shot("login-wrong-password")

    tab.login(username, DEMO_PASSWORD)
    assert tab.path() == "/"
    tab.open_menu()
    page.get_by_test_id("user-menu").click()
    logout = page.get_by_test_id("logout")
    logout.wait_for(state="visible")
    tab.shot("user-menu-open")
    logout.click()
    page.wait_for_url(tab.url("/login/"))
    assert page.locator("#id_username").is_visible()
    assert page.get_by_test_id("nav").count() == 0

    tab.goto("/")
    assert tab.path() == "/login/?next=/"
    tab.goto("/customers/")
    assert tab.path() == "/login/?next=/customers/"
    tab.assert_clean()
