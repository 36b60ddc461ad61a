"""Every `next` (return URL) the product follows stays on this site.

The views that read `next` are discovered, not listed by hand: every URL pattern whose
view's source mentions "next", plus Django's own views that follow one (log-in, log-out,
set_language). Each must be exercised below, so a new one cannot be forgotten. Each is
tried with off-site targets (other hosts, protocol-relative, backslash, `javascript:`,
full-width and other Unicode look-alikes), by GET and POST: never a redirect off the site,
never a 500, and a page that carries `next` into a form does not carry a hostile one."""

from __future__ import annotations

import inspect
import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.views import RedirectURLMixin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from anchang.followups.reviews.services import review_comment
from anchang.followups.services import followup_record
from anchang.redirects import is_safe_next
from tests.conftest import PASSWORD, make_user

NOTE = "客户确认周六带爱人来看样板间，重点看三居室，担心首付比例，希望有优惠。"

HOSTILE = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example/x",
    "///evil.example/x",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https:evil.example",
    "／／evil.example",  # full-width solidus
    "https：／／evil.example",  # full-width colon and solidi
    "//evil。example",  # ideographic full stop
    "/\t/evil.example",
    "/\n/evil.example",
    "\x00//evil.example",
    "http://testserver@evil.example/",
    "home",  # a URL name: redirect() would reverse it
    "not-a-url-name",  # redirect() raised NoReverseMatch (a 500) on a bare word
]


# A view's source that reads `next`, calls the product's helpers or Django's language switch.
FOLLOWS_NEXT = r"""["']next["']|\b(is_)?safe_next\b|\bnext_(from|or_empty)\b|set_language\("""


def _views_with_next() -> dict[str, object]:
    """url name -> view, for every pattern whose view follows a `next`."""
    found: dict[str, object] = {}

    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                walk(pattern, ns)
                continue
            assert isinstance(pattern, URLPattern)
            callback = pattern.callback
            view_class = getattr(callback, "view_class", None)
            target = view_class or inspect.unwrap(callback)
            if view_class is not None and issubclass(view_class, RedirectURLMixin):
                follows = True
            else:
                try:
                    source = inspect.getsource(target)
                except (OSError, TypeError):
                    source = ""
                follows = bool(re.search(FOLLOWS_NEXT, source))
            if follows and target.__module__.split(".")[0] in {"anchang", "django"}:
                name = f"{prefix}{pattern.name}" if pattern.name else repr(pattern)
                if name.startswith("admin:"):
                    continue  # the Django admin's own log-in/out: staff only, Django's check
                found[name] = target

    walk(get_resolver(), "")
    return found


@pytest.fixture
def team(world):
    c1 = world.consultants["p1"][0]
    m1 = world.grant(make_user("nx-m1", "王经理"), "manager")
    customer = world.register(c1, name="陈女士").customer
    fu = followup_record(actor=c1, customer=customer, kind="phone", content=NOTE)
    return world, c1, m1, customer, fu


def _followup_new(team, client, target):
    _w, c1, _m1, customer, _fu = team
    client.force_login(c1)
    url = reverse("followups:new", args=[customer.pk])
    data = {"kind": "phone", "reached": "yes", "content": NOTE, "next": target}
    return url, data, reverse("home")


def _review_read(team, client, target):
    _w, c1, m1, _customer, fu = team
    review = review_comment(actor=m1, followup=fu, comment="周末前再联系")
    client.force_login(c1)
    return reverse("followups:review-read", args=[review.pk]), {"next": target}, reverse("home")


def _login(team, client, target):
    _w, c1, *_ = team
    data = {"username": c1.username, "password": PASSWORD, "next": target}
    return reverse("login"), data, reverse("home")


def _logout(team, client, target):
    _w, c1, *_ = team
    client.force_login(c1)
    return reverse("logout"), {"next": target}, reverse("login")


def _set_language(team, client, target):
    _w, c1, *_ = team
    client.force_login(c1)
    return reverse("set_language"), {"language": "zh-hans", "next": target}, "/"


# Every view that follows a `next`, and how to drive it to the point where it redirects.
CASES = {
    "followups:new": _followup_new,
    "followups:review-read": _review_read,
    "login": _login,
    "logout": _logout,
    "set_language": _set_language,
}


def test_every_view_following_next_is_exercised(db):
    assert set(_views_with_next()) == set(CASES)


def _assert_stays_on_site(response, default):
    assert response.status_code < 500, response.status_code
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\"))
        parts = urlsplit(urljoin("http://testserver/", location))
        assert parts.scheme == "http" and parts.netloc == "testserver", location
        assert location.split("#")[0] == default.split("#")[0], location


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("target", HOSTILE)
def test_off_site_next_is_refused_by_post(team, client, name, target):
    url, data, default = CASES[name](team, client, target)
    response = client.post(url, data)
    _assert_stays_on_site(response, default)
    # The same target in the query string (how the pages link to these views)
    url, data, default = CASES[name](team, client, target)
    data = {k: v for k, v in data.items() if k != "next"}
    response = client.post(f"{url}?{_q(target)}", data)
    _assert_stays_on_site(response, default)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("target", HOSTILE)
def test_off_site_next_is_not_carried_by_get(team, client, name, target):
    url, _data, default = CASES[name](team, client, target)
    response = client.get(f"{url}?{_q(target)}")
    _assert_stays_on_site(response, default)
    if response.status_code == 200:
        html = response.content.decode()
        for value in re.findall(r'name="next"[^>]*value="([^"]*)"', html):
            assert value == "" or is_safe_next(response.wsgi_request, _unescape(value)), value


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_same_site_path_is_followed(team, client, name):
    """The refusal is not blanket: a path on this site (a customer's card) is where we go."""
    _w, _c1, _m1, customer, _fu = team
    card = reverse("customers:detail", args=[customer.pk]) + "?tab=followups"
    url, data, _default = CASES[name](team, client, card)
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == card


def _q(target: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"next": target})


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)
