"""Every URL the product serves is in the permission matrix (`endpoints` in
anchang/permissions.yaml), and its guard holds: generated from the file and the URL
resolver, one case per URL, method and kind of visitor.

- an anonymous visitor passes only public doors: pages send them to log in, the API
  answers 401/403;
- a signed-in user without any role never reads or changes a customer (404 for one named
  in the URL, an empty list or 403 for a list) and never passes a role's page.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from anchang import permissions
from anchang.customers.models import Customer
from tests.conftest import make_user

MISSING = 999_999  # an id nothing has


def _walk(resolver: URLResolver, namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            yield from _walk(entry, f"{namespace}:{inner}".strip(":") if inner else namespace)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name or '?'}" if namespace else (entry.name or "?")
            yield name, entry


def _url_names() -> dict[str, URLPattern]:
    return dict(_walk(get_resolver()))


URLS = _url_names()
# The admin site is Django's own (guard: staff); its URLs are checked as a whole below.
PRODUCT_URLS = sorted(name for name in URLS if not name.startswith("admin:"))
METHODS = ["get", "post"]


def test_every_url_is_in_the_matrix():
    uncovered = sorted(name for name in URLS if permissions.endpoint_spec(name) is None)
    assert not uncovered, f"add these to `endpoints` in anchang/permissions.yaml: {uncovered}"


def test_every_matrix_entry_is_a_url():
    namespaces = {name.rpartition(":")[0] for name in URLS}
    stale = [
        key
        for key in permissions.endpoints()
        if (key.endswith(":*") and key[:-2] not in namespaces)
        or (not key.endswith(":*") and key not in URLS)
    ]
    assert not stale, f"no URL has these names any more: {stale}"


def _url(name: str, customer_id: int = MISSING) -> str:
    """The URL with an id in each of its parameters: the customer's where the guard is about
    a customer, one nothing has elsewhere."""
    converters = getattr(URLS[name].pattern, "converters", {})
    guard = permissions.endpoint_spec(name)["guard"]
    kwargs = {}
    for key, converter in converters.items():
        if type(converter).__name__ == "IntConverter":
            about_customer = key == "pk" and guard.startswith("customers.")
            kwargs[key] = customer_id if about_customer else MISSING
        else:
            kwargs[key] = "not-a-token"
    return reverse(name, kwargs=kwargs)


def _is_api(name: str) -> bool:
    return name.startswith("api:")


def _signed_in(name: str, user, client, api_client):
    """The client for the URL's door, as `user`: a token for the API, a session for pages."""
    if _is_api(name):
        api_client.force_authenticate(user)
        return api_client
    client.force_login(user)
    return client


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", PRODUCT_URLS)
def test_anonymous_visitors_pass_only_public_doors(db, client, name, method):
    spec = permissions.endpoint_spec(name)
    response = getattr(client, method)(_url(name))
    assert response.status_code < 500
    login = resolve_url(settings.LOGIN_URL)
    if spec["guard"] == "public":  # never "log in first" (logging out does land on log-in)
        assert not response.get("Location", "").startswith(f"{login}?next=")
    elif _is_api(name):
        assert response.status_code in (401, 403), response.status_code
    else:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(f"{login}?next=")


def test_the_admin_site_wants_staff(db, client):
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    client.force_login(make_user("not-staff"))
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", PRODUCT_URLS)
def test_a_user_without_a_role_passes_no_guarded_door(world, client, api_client, name, method):
    spec = permissions.endpoint_spec(name)
    customer = world.customer(world.p1, world.consultants["p1"][0], "门外客户")
    before = Customer.objects.filter(pk=customer.pk).values().get()
    visitor = _signed_in(name, make_user("no-role"), client, api_client)
    response = getattr(visitor, method)(_url(name, customer.pk))
    status, guard = response.status_code, spec["guard"]
    assert status < 500
    refused = (400, 403, 404, 405)  # 400: an empty form or body is refused before the guard
    names_something = bool(getattr(URLS[name].pattern, "converters", {}))
    body = response.content.decode("utf-8-sig", "replace")
    if guard.startswith(("customers.", "page.", "deals.")):
        if names_something:
            assert status in refused, status
        elif status == 200 and spec["door"] == "api_list":
            data = response.json()
            assert (data["results"] if isinstance(data, dict) else data) == []
        elif guard.startswith("customers."):  # a page listing, searching or exporting
            assert status in (200, *refused), status
        else:
            assert status in refused, status
        assert customer.name not in body and customer.phone[-8:] not in body
    # whatever the door, no customer changed hands or fields
    assert Customer.objects.filter(pk=customer.pk).values().get() == before


CUSTOMER_URLS = sorted(
    name
    for name in PRODUCT_URLS
    if permissions.endpoint_spec(name)["guard"].startswith("customers.")
    and "pk" in getattr(URLS[name].pattern, "converters", {})
)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", CUSTOMER_URLS)
def test_a_consultant_passes_no_door_to_a_colleagues_customer(
    world, client, api_client, name, method
):
    """Consultant A, signed in or with a token, names colleague B's customer: 404, as if
    there were no such customer, and nothing changes."""
    me, colleague = world.consultants["p1"]
    theirs = world.customer(world.p1, colleague, "同事的客户")
    before = Customer.objects.filter(pk=theirs.pk).values().get()
    visitor = _signed_in(name, me, client, api_client)
    response = getattr(visitor, method)(_url(name, theirs.pk))
    assert response.status_code in (400, 404, 405), response.status_code
    assert theirs.name not in response.content.decode("utf-8", "replace")
    assert Customer.objects.filter(pk=theirs.pk).values().get() == before


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _assert_security_headers(response, url: str) -> None:
    for header, value in SECURITY_HEADERS.items():
        assert response.get(header) == value, (url, header, response.get(header))
    csp = response.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, (url, csp)
    assert "default-src 'self'" in csp, (url, csp)


@pytest.mark.parametrize("name", PRODUCT_URLS)
def test_every_answer_carries_the_security_headers(world, client, api_client, name):
    """CSP (no framing, no plugins), nosniff, Referrer-Policy and X-Frame-Options on every
    URL's answer, whoever asks and whatever the answer: a page, a redirect to log in, a
    404, a refused form or an API error."""
    consultant = world.consultants["p1"][0]
    mine = world.customer(world.p1, consultant, "自己的客户")
    url = _url(name, mine.pk)
    _assert_security_headers(client.get(url), url)  # anonymous
    visitor = _signed_in(name, consultant, client, api_client)
    for method in METHODS:
        _assert_security_headers(getattr(visitor, method)(url), url)


def test_the_admin_site_and_unknown_urls_carry_the_security_headers(db, client):
    for url in ["/admin/", "/admin/login/", "/no-such-page/"]:
        _assert_security_headers(client.get(url), url)
