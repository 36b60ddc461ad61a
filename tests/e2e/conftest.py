"""Browser journeys: headless Chromium (Debian's) driven by Playwright against live_server.

Every page a journey opens is watched: console errors (CSP violations land there too),
uncaught page errors, and any request that leaves the live server fail the test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
REPO_DIR = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_DIR / "test-artifacts" / "screenshots"

PHONE = {"width": 375, "height": 812}
TABLET = {"width": 768, "height": 1024}  # the reception desk's tablet
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = {"375": PHONE, "768": TABLET, "1280": DESKTOP}

# Schemes that never leave the browser.
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-error"}


def pytest_collection_modifyitems(config, items):
    # Browser journeys run last: the Playwright event loop, and the async-unsafe switch it
    # needs, then never overlap the rest of the suite (whose deploy checks refuse it).
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(pytest.mark.slow)  # seconds each: a browser and a live server


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium to run the browser journeys"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django then refuses
    # ORM calls from the test body unless told it is fine (pytest-django + playwright sync).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _e2e_settings(settings):
    # The manifest storage needs collectstatic; live_server serves through the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Demo staff are ~30 users: a slow hasher would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(transactional_db):
    from anchang.demo.build import build_demo

    return build_demo(seed=2026, customers_per_consultant=5)


def demo_office(demo):
    """The demo's manager, the project they manage, and its consultants (by id)."""
    from anchang.org.models import Membership, Role, User

    manager = User.objects.get(username=demo.logins[Role.MANAGER])
    project = Membership.objects.get(user=manager, role=Role.MANAGER).project
    consultants = User.objects.filter(
        memberships__project=project, memberships__role=Role.CONSULTANT
    ).order_by("pk")
    return manager, project, consultants


@dataclass
class Tab:
    """One browser context + page, with everything that went wrong on it collected."""

    page: object
    base_url: str
    label: str
    problems: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    @property
    def is_phone(self) -> bool:
        return self.page.viewport_size["width"] < 576

    def url(self, path: str) -> str:
        return self.base_url + path

    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def goto(self, path: str):
        response = self.page.goto(self.url(path))
        self.page.wait_for_load_state("load")
        return response

    def login(self, username: str, password: str) -> None:
        if not self.path().startswith("/login/"):
            self.goto("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.get_by_test_id("login-submit").click()
        self.page.wait_for_load_state("load")

    def open_menu(self) -> None:
        """On a phone the navigation hides behind the toggler; open it (no-op on desktop)."""
        nav = self.page.locator("#main-nav")
        if nav.is_visible():
            return
        self.page.locator(".navbar-toggler").click()
        # Bootstrap adds .show once the collapse transition has ended. (No wait_for_function:
        # it evaluates strings, which the page's CSP rightly refuses.)
        self.page.locator("#main-nav.collapse.show").wait_for(state="visible")

    def no_horizontal_overflow(self) -> bool:
        return self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        """Screenshot the page, and assert nothing overflows sideways."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}-{self.label}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        widths = self.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert self.no_horizontal_overflow(), f"{name}: page overflows sideways {widths}"
        return path

    def assert_clean(self) -> None:
        assert not self.problems, "browser problems:\n" + "\n".join(self.problems)


@pytest.fixture
def open_tab(browser, live_server):
    """open_tab(viewport="375"|"1280", locale=...) → Tab. Checked again at teardown."""
    base = live_server.url
    origin = urlsplit(base)
    contexts, tabs = [], []

    def _open(viewport: str = "1280", locale: str = "en-US") -> Tab:
        context = browser.new_context(
            viewport=VIEWPORTS[viewport],
            locale=locale,
            device_scale_factor=1,
            is_mobile=viewport == "375",
            has_touch=viewport == "375",
            service_workers="block",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page=page, base_url=base, label=viewport)

        def on_console(message):
            if message.type in ("error", "assert"):
                tab.problems.append(f"console {message.type} on {page.url}: {message.text}")

        def on_request(request):
            parts = urlsplit(request.url)
            if parts.scheme in LOCAL_SCHEMES:
                return
            if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
                tab.problems.append(f"request to another host from {page.url}: {request.url}")

        def on_navigated(frame):
            if frame == page.main_frame:
                tab.visited.append(frame.url)

        page.on("console", on_console)
        page.on(
            "pageerror", lambda error: tab.problems.append(f"page error on {page.url}: {error}")
        )
        page.on("request", on_request)
        page.on("framenavigated", on_navigated)
        tabs.append(tab)
        return tab

    yield _open
    problems = [p for tab in tabs for p in tab.problems]
    for context in contexts:
        context.close()
    assert not problems, "browser problems:\n" + "\n".join(problems)
