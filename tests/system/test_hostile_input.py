"""Hostile input never makes a 500: every query parameter, cursor, path id and JSON body.

Walked, not listed: the API's GET operations and their query parameters come from the
OpenAPI schema; its POST/PUT/PATCH operations get bodies nested far too deep; every URL
pattern with an id gets ids no column holds and Unicode digits; every page gets the query
parameters its view (and the helpers and FilterSets it uses) reads. The answer is never a
5xx, and an API 400 has the error format {code, message, fields}. Structural checks: no
FilterSet filters an id with a Decimal-based NumberFilter (the project's IdFilter is the one
integer filter), and the id parser refuses what int() and isdigit() let through."""

from __future__ import annotations

import base64
import inspect
import json
import re
from datetime import date
from urllib.parse import quote, urlencode

import django_filters
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from anchang.dates import parse_day
from anchang.followups.services import followup_record
from anchang.ids import ID_MAX, parse_choice, parse_id
from anchang.org.models import Role
from tests.conftest import make_user

NOTE = "客户确认周六带爱人来看样板间，重点看三居室，担心首付比例，希望有优惠。"

HOSTILE = [
    "²",
    "𐩀",
    "１２３",
    "١٢٣",
    "9999999999999999999999",
    "99999999999999999999999",
    str(2**63),
    "-1e19",
    "-1",
    "0",
    "1.5",
    "1e3",
    "",
    "null",
    "NaN",
    "\x00",
    "' OR 1=1 --",
    "[]",
    "x" * 3000,
]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


CURSORS = [
    "!!!",
    "not-base64",
    "%%%",
    "²",
    _b64("garbage"),
    _b64("o=-1"),
    _b64("o=99999999999999999999"),
    _b64("r=x"),
    *(_b64(f"o=0&r=0&p={quote(v)}") for v in HOSTILE),
    *(_b64(f"o=0&r=1&p={quote(v)}") for v in HOSTILE[:8]),
]


@pytest.fixture
def boss(world, client, api_client):
    """One user holding every role that opens something (consultant, manager, admin), with
    customers and follow-ups, so each guard lets the hostile value reach the parsing."""
    user = make_user("boss", "老板")
    for role in (Role.CONSULTANT, Role.MANAGER, Role.ADMIN):
        world.grant(user, role)
    customer = world.register(user, name="陈女士").customer
    followup_record(actor=user, customer=customer, kind="phone", content=NOTE)
    world.register(user, name="王先生")
    client.force_login(user)
    api_client.force_authenticate(user)
    return user, customer


def _assert_no_5xx(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if response.status_code == 400 and response.get("Content-Type", "").startswith(
        "application/json"
    ):
        body = response.json()
        assert {"code", "message", "fields"} <= set(body), f"{what}: {body}"


# --- the API, from its schema -----------------------------------------------------------


def _schema(client) -> dict:
    return json.loads(client.get("/api/schema/", {"format": "json"}).content)


def _operations(schema: dict, methods: set[str]):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in methods:
                yield path, method, operation


def _fill(path: str, value) -> str:
    return re.sub(r"\{[^}]+\}", str(value), path)


@pytest.mark.slow
def test_every_api_query_parameter_and_cursor(boss, client, api_client):
    _user, customer = boss
    schema = _schema(client)
    tried = 0
    for path, _method, operation in _operations(schema, {"get"}):
        params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        url = _fill(path, customer.pk)
        for name in params:
            values = CURSORS if name == "cursor" else HOSTILE
            for value in values:
                response = api_client.get(url, {name: value})
                _assert_no_5xx(response, f"GET {url}?{name}={value[:30]!r}")
                tried += 1
    assert tried > 200  # the schema was read and walked


@pytest.mark.slow
def test_every_cursor_list_refuses_a_bad_cursor_with_400(boss, client, api_client):
    _user, customer = boss
    schema = _schema(client)
    lists = [
        _fill(path, customer.pk)
        for path, _m, op in _operations(schema, {"get"})
        if any(p["name"] == "cursor" for p in op.get("parameters", []))
    ]
    assert lists
    # DRF's decoder skips characters that are not base64 ("!!!" is an empty cursor: the
    # first page); whatever it decodes to, the answer is the page or a 400 that says so.
    for url in lists:
        for cursor in CURSORS:
            response = api_client.get(url, {"cursor": cursor})
            assert response.status_code in (200, 400), (url, cursor, response.status_code)
            if response.status_code == 400:
                assert response.json()["code"] == "invalid_cursor", (url, cursor, response.json())
        for value in ("99999999999999999999999", "²", "\x00", "abc"):
            response = api_client.get(url, {"cursor": _b64(f"o=0&r=0&p={quote(value)}")})
            assert response.status_code == 400, (url, value, response.status_code)


def _deep(depth: int, kind: str) -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
def test_deep_json_to_every_write(boss, client, api_client, depth):
    _user, customer = boss
    schema = _schema(client)
    writes = list(_operations(schema, {"post", "put", "patch"}))
    assert writes
    for path, method, _operation in writes:
        url = _fill(path, customer.pk)
        for kind in ("list", "object"):
            response = getattr(api_client, method)(
                url, _deep(depth, kind), content_type="application/json"
            )
            _assert_no_5xx(response, f"{method.upper()} {url} {kind} nested {depth}")
            if response.status_code == 400:
                assert response.json()["code"] == "malformed_request"


def test_deep_json_is_malformed_where_it_is_read(boss, api_client):
    _user, customer = boss
    url = reverse("api:customer", args=[customer.pk])
    response = api_client.patch(url, _deep(1000, "object"), content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "malformed_request"


# --- path ids, pages and API alike ------------------------------------------------------

MARK = 424242
PATH_IDS = ["99999999999999999999999", str(2**63), str(ID_MAX), "0", "²", "𐩀", "１２３"]


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _patterns(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry


def _with_ids():
    for name, pattern in _patterns():
        converters = getattr(pattern.pattern, "converters", {})
        if name.startswith("admin:") or not converters:
            continue
        if all(type(c).__name__ == "IntConverter" for c in converters.values()):
            yield name, list(converters)


@pytest.mark.slow
def test_every_path_id(boss, client, api_client):
    names = list(_with_ids())
    assert len(names) > 15
    for name, keys in names:
        url = reverse(name, kwargs=dict.fromkeys(keys, MARK))
        visitor = api_client if name.startswith("api:") else client
        for value in PATH_IDS:
            hostile = url.replace(str(MARK), quote(value))
            for method in ("get", "post"):
                response = getattr(visitor, method)(hostile)
                _assert_no_5xx(response, f"{method.upper()} {hostile}")


# --- page query strings, read from the views --------------------------------------------

_READS = re.compile(r"""(?:GET|POST|query_params|data)\.get(?:list)?\(\s*["'](\w+)["']""")
_INDEXES = re.compile(r"""(?:GET|POST|query_params|data)\[\s*["'](\w+)["']\s*\]""")


def _params_read_by(view) -> set[str]:
    """The request parameters a view reads: in its source, in the module functions it
    calls, and the filters of the FilterSets either names."""
    module = inspect.getmodule(view)
    sources = [inspect.getsource(view)]
    for name in set(re.findall(r"\b(\w+)\(", sources[0])):
        helper = getattr(module, name, None)
        if inspect.isfunction(helper) and helper.__module__ == module.__name__:
            sources.append(inspect.getsource(helper))
    names: set[str] = set()
    for source in sources:
        names |= set(_READS.findall(source)) | set(_INDEXES.findall(source))
        for word in set(re.findall(r"\b([A-Z]\w+)\b", source)):
            cls = getattr(module, word, None)
            if inspect.isclass(cls) and issubclass(cls, django_filters.FilterSet):
                names |= set(cls.base_filters)
    return names - {"csrfmiddlewaretoken", "next"}


def _pages():
    for name, pattern in _patterns():
        if name.startswith(("admin:", "api:")) or name in {"logout", "set_language"}:
            continue
        converters = getattr(pattern.pattern, "converters", {})
        if any(type(c).__name__ != "IntConverter" for c in converters.values()):
            continue
        callback = pattern.callback
        view = getattr(callback, "view_class", None) or inspect.unwrap(callback)
        yield name, list(converters), view


@pytest.mark.slow
def test_every_page_query_parameter(boss, client):
    _user, customer = boss
    tried = set()
    for name, keys, view in _pages():
        url = reverse(name, kwargs=dict.fromkeys(keys, customer.pk))
        for param in sorted(_params_read_by(view)):
            for value in HOSTILE:
                response = client.get(f"{url}?{urlencode({param: value})}")
                _assert_no_5xx(response, f"GET {url}?{param}={value[:30]!r}")
            tried.add((name, param))
    # the discovery found the known readers (a guard against a scan that finds nothing)
    assert {("customers:list", "owner"), ("customers:list", "q"), ("pool:list", "project")} <= {
        (n, p) for n, p in tried
    }, sorted(tried)


# --- the classes themselves -------------------------------------------------------------


def _filtersets():
    seen, todo = set(), [django_filters.FilterSet]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return [fs for fs in seen if fs.__module__.startswith("anchang.")]


def test_no_filterset_filters_an_id_as_a_decimal():
    filtersets = _filtersets()
    assert filtersets
    for fs in filtersets:
        for name, flt in fs.base_filters.items():
            assert not isinstance(flt, django_filters.NumberFilter), (
                f"{fs.__name__}.{name}: use anchang.ids.IdFilter (a NumberFilter takes "
                "-1e19 and 10**23 to the database)"
            )


@pytest.mark.parametrize("value", HOSTILE + ["1 2", "+1", " 7 ", True, 1.0, None, [1]])
def test_parse_id_refuses_what_int_and_isdigit_let_through(value):
    expected = 7 if value == " 7 " else None
    assert parse_id(value) == expected


def test_parse_id_takes_ids_up_to_the_column():
    assert parse_id("1") == 1 and parse_id(str(ID_MAX)) == ID_MAX and parse_id(ID_MAX) == ID_MAX
    assert parse_id(str(ID_MAX + 1)) is None and parse_id(0) is None


def test_path_ids_above_any_column_are_404_before_the_view(rf):
    """Django 5.2 answers a primary-key lookup out of range with no row, but a foreign key's
    raises OverflowError: the middleware stops every such path id before any view runs."""
    from django.http import Http404

    from anchang.ids import PathIdBoundsMiddleware

    middleware = PathIdBoundsMiddleware(lambda request: None)
    request = rf.get("/")
    with pytest.raises(Http404):
        middleware.process_view(request, None, (), {"pk": ID_MAX + 1})
    with pytest.raises(Http404):
        middleware.process_view(request, None, (10**23,), {})
    assert middleware.process_view(request, None, (), {"pk": ID_MAX, "key": "x"}) is None


@pytest.mark.parametrize("value", ["7", 7, " 14 "])
def test_parse_choice_takes_one_of_the_choices(value):
    assert parse_choice(value, (7, 14, 31)) in (7, 14)


@pytest.mark.parametrize("value", ["8", "0", "-7", "７", "٧", "7.0", "", None, "9" * 40, True])
def test_parse_choice_refuses_anything_else(value):
    assert parse_choice(value, (7, 14, 31)) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-03-05", date(2026, 3, 5)), ("2026-02-30", None), ("２０２６-03-05", None),
     ("20260305x", None), ("", None), (None, None), ("9" * 40, None)],
)  # fmt: skip
def test_parse_day_reads_only_an_ascii_iso_day(value, expected):
    assert parse_day(value) == expected
