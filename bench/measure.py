"""Time the key intake operations in-process, through the full stack.

Pages and the API are driven with Django's test Client (force_login): URL routing, every
middleware, the permission-scoped selectors, the filter set, templates and context
processors all run, as they would behind the WSGI server, minus the network. Database
connections are handled as under the server (see `served`): on SQLite every request opens
the file anew. The phone lookup of the registration path is timed as the ORM calls the
service makes, on an open connection. Inputs are
drawn at random from the data (existing phones, prefixes of existing names), so no
cache is asked the same question twice in a row.

After timing an operation, one more request runs with a query wrapper that counts its
queries and keeps the slowest one, with its plan (EXPLAIN QUERY PLAN on SQLite,
EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL).
"""

from __future__ import annotations

import importlib.util
import json
import math
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone

from anchang.customers.choices import State
from anchang.customers.models import Customer, CustomerPhone
from anchang.customers.search import name_keys
from anchang.demo.names import chinese_name
from anchang.gunicorn_conf import settle_heap
from anchang.org.models import Project, User
from bench.generate import CONTENTS, national_phone

# Reached phone calls, above the 30-character minimum (docs/domain.md#follow-up-records).
FOLLOWUP_CONTENTS = (
    "电话回访，客户对三居室户型比较满意，关心首付比例和贷款利率，约好周六带家人来售楼处看样板间",
    "客户表示还在比较周边两个楼盘，价格略高于预期，已介绍本月优惠政策，下周再电话确认意向",
    "回访了解到客户孩子明年上小学，重点关注学区划分和交房时间，已发送学区说明和工程进度照片",
    "客户接听后说最近出差，回来后再约时间到访；已微信发送最新价格表和楼层图，请其与爱人商量",
)

BACKEND = "anchang.org.backends.ModelBackend"
# Operation groups (--only): intake pages and searches, My day, the manager's home and
# review queue, the writes (registration, follow-ups), the deals (board, list, collections,
# subscribing), the tick.
GROUPS = frozenset({"intake", "my-day", "manager", "writes", "deals", "tick"})
ROW_LINK = re.compile(rb'href="/customers/\d+/"')
# The deals pages (issue 16): a row is a deal, a board cell a unit.
DEAL_LINK = re.compile(rb'href="/deals/(?:units/)?\d+/"')


@dataclass
class Result:
    operation: str
    actor: str
    variant: str  # "as is", or the what-if applied (bench/whatif.py)
    n: int
    p50: float
    p95: float
    p99: float
    mean: float
    max: float
    target: float | None
    passed: bool | None
    rows: float | None  # average customers on the page (searches: the hits shown)
    queries: int | None
    slowest_query_ms: float | None
    slowest_sql: str
    plan: str
    note: str = ""  # e.g. what a tick changed


def _bench_admin(manager: User) -> User:
    """An admin of the whole company (every project): the widest reader of the reports."""
    from anchang.org.models import Company, Membership, Role
    from anchang.org.services import membership_grant

    existing = User.objects.filter(username="bench-admin").first()
    if existing is not None:
        return existing
    company = Company.objects.get(pk=Membership.objects.filter(user=manager).values("company")[:1])
    admin = User.objects.create(username="bench-admin", name="基准管理员")
    membership_grant(user=admin, role=Role.ADMIN, company=company)
    return admin


def _log(message: str) -> None:
    print(f"[measure] {message}", file=sys.stderr, flush=True)


def _percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an ordered list."""
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def explain(sql: str, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _profile(call: Callable[[], object]) -> tuple[int, float, str, str]:
    """(queries, slowest SELECT in ms, its SQL, its plan) for one more run of `call`."""
    seen: list[tuple[float, str, object]] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seen.append((time.perf_counter() - started, sql, params))

    with connection.execute_wrapper(timed):
        call()
    return _slowest(seen)


def _slowest(seen: list[tuple[float, str, object]]) -> tuple[int, float, str, str]:
    """(queries, slowest SELECT in ms, its SQL, its plan) of the recorded queries."""
    selects = [q for q in seen if q[1].lstrip().upper().startswith("SELECT")]
    if not selects:
        return len(seen), 0.0, "", ""
    elapsed, sql, params = max(selects, key=lambda q: q[0])
    try:
        plan = explain(sql, params)
    except Exception as exc:  # noqa: BLE001 - a plan is a diagnostic, never a failure
        plan = f"(no plan: {exc})"
    return len(seen), elapsed * 1000, f"{sql} -- params {list(params or [])}", plan


def served(call: Callable[[], object]):
    """Run one request as the WSGI server would: Django's request_started and
    request_finished handlers close connections older than CONN_MAX_AGE (SQLite: after
    every request, so each request opens the file anew; PostgreSQL: kept 60 s and
    health-checked). The test client disconnects those handlers; the bench calls them."""
    close_old_connections()
    try:
        return call()
    finally:
        close_old_connections()


def _summarise(name, actor, timings, target, rows, profile, variant="as is", note="") -> Result:
    ordered = sorted(t * 1000 for t in timings)
    p95 = _percentile(ordered, 95)
    queries, slow_ms, sql, plan = profile
    result = Result(
        operation=name,
        actor=actor,
        variant=variant,
        n=len(ordered),
        p50=_percentile(ordered, 50),
        p95=p95,
        p99=_percentile(ordered, 99),
        mean=statistics.fmean(ordered),
        max=ordered[-1],
        target=target,
        passed=None if target is None else p95 < target,
        rows=rows,
        queries=queries,
        slowest_query_ms=slow_ms,
        slowest_sql=sql,
        plan=plan,
        note=note,
    )
    verdict = "" if target is None else (" pass" if result.passed else " FAIL")
    label = actor if variant == "as is" else f"{actor}, {variant}"
    _log(
        f"{name} [{label}]: p50 {result.p50:.1f} p95 {p95:.1f} p99 {result.p99:.1f} ms"
        f" (n={result.n}, rows {rows if rows is None else round(rows, 1)}){verdict}"
    )
    return result


def _lift_search_cap() -> None:
    """The bench times searches, not the privacy cap: its 200 full-number searches in a few
    seconds pass the default cap (privacy.phone_searches_per_hour, 30; a 429 after it), so
    every project of the bench allows the most the setting takes."""
    for project in Project.objects.all():
        overrides = dict(project.rules_overrides or {})
        overrides["privacy"] = {**overrides.get("privacy", {}), "phone_searches_per_hour": 10000}
        Project.objects.filter(pk=project.pk).update(rules_overrides=overrides)


class Bench:
    def __init__(self, info: dict, *, reps: int, warmup: int, max_seconds: float, seed: int = 7):
        self.info = info
        self.reps, self.warmup, self.max_seconds = reps, warmup, max_seconds
        self.variant = "as is"
        self.rng = random.Random(seed)
        self.project = info["big_project"]
        self.consultant = User.objects.get(pk=info["bench_consultant"])
        self.manager = User.objects.get(pk=info["manager"])
        self.clients = {}
        self.admin = _bench_admin(self.manager)
        _lift_search_cap()
        users = (("consultant", self.consultant), ("manager", self.manager), ("admin", self.admin))
        for label, user in users:
            client = Client(HTTP_HOST="localhost")
            client.force_login(user, backend=BACKEND)
            self.clients[label] = client
        self.results: list[Result] = []
        # Inputs drawn from the data, before any timing.
        fields = ("id", "name", "name_initials", "phone", "phone_last4")
        max_id = Customer.objects.order_by("-id").values_list("id", flat=True).first()
        self.max_id = max_id
        ids = self.rng.sample(range(1, max_id + 1), min(max_id, 20_000))
        self.samples = {
            "manager": list(
                Customer.objects.filter(project_id=self.project, pk__in=ids).values(*fields)
            )[:3000],
            "consultant": list(Customer.objects.filter(owner=self.consultant).values(*fields)),
        }
        phone_ids = self.rng.sample(range(1, max_id + 1), min(max_id, 5000))
        self.phones = list(
            CustomerPhone.objects.filter(pk__in=phone_ids).values_list("project_id", "phone")
        )
        settle_heap()  # the garbage collector as a server's worker runs it

    # --- what is timed -------------------------------------------------------------------

    def run_get(
        self, name, actor, make_url: Callable[[random.Random], str], target, headers=None
    ) -> None:
        """Time a GET page; `rows` counts the customer links on it (an API answer: the
        items of its lists). `headers`: e.g. HX-Request, for a fragment htmx fetches."""
        client = self.clients[actor]

        def fetch(url: str):
            return client.get(url, headers=headers or {})

        rng = random.Random(f"{name}|{actor}")  # the same inputs in every pass and run
        urls = [make_url(rng) for _ in range(self.warmup + self.reps)]
        for url in urls[: self.warmup]:
            served(lambda url=url: fetch(url))
        timings, rows = [], 0
        deadline = time.perf_counter() + self.max_seconds
        for url in urls[self.warmup :]:
            started = time.perf_counter()
            response = served(lambda url=url: fetch(url))
            timings.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"bench: {url} answered {response.status_code}")
            if url.startswith("/api/"):
                body = response.json()
                rows += sum(len(v) for v in body.values() if isinstance(v, list))
            elif url.startswith("/deals/"):
                rows += len(DEAL_LINK.findall(response.content))
            else:
                rows += len(ROW_LINK.findall(response.content))
            if started > deadline:
                break  # a very slow operation: fewer repetitions, n says how many
        profile = _profile(lambda: served(lambda: fetch(urls[-1])))
        average_rows = rows / len(timings)
        self.results.append(
            _summarise(name, actor, timings, target, average_rows, profile, self.variant)
        )

    def phone_lookup(self) -> None:
        def lookup(project_id, phone):
            customer_id = (
                CustomerPhone.objects.filter(project_id=project_id, phone=phone)
                .values_list("customer_id", flat=True)
                .first()
            )
            return Customer.objects.get(pk=customer_id)

        picks = [self.rng.choice(self.phones) for _ in range(self.warmup + self.reps)]
        for project_id, phone in picks[: self.warmup]:
            lookup(project_id, phone)
        timings = []
        for project_id, phone in picks[self.warmup :]:
            started = time.perf_counter()
            lookup(project_id, phone)
            timings.append(time.perf_counter() - started)
        profile = _profile(lambda: lookup(*picks[-1]))
        self.results.append(
            _summarise("exact phone lookup (ORM)", "service", timings, 10, 1.0, profile)
        )

    def register(self) -> None:
        client = self.clients["consultant"]
        first = self.max_id  # phone indexes past every customer id are unused numbers

        def body(k: int) -> str:
            return json.dumps(
                {
                    "project": self.project,
                    "kind": "call",
                    "name": chinese_name(self.rng),
                    "gender": self.rng.choice("mf"),
                    "phone": national_phone(first + k),
                    "medium": self.info["medium"],
                    "content": self.rng.choice(CONTENTS),
                    "occurred_at": timezone.now().isoformat(),
                }
            )

        def post(k: int):
            data = body(k)
            response = served(
                lambda: client.post("/api/v1/registrations/", data, content_type="application/json")
            )
            if response.status_code != 201:
                raise SystemExit(f"bench: registration answered {response.status_code}")
            return response

        warm = min(self.warmup, 5)
        for k in range(warm):
            post(k)
        timings = []
        for k in range(warm, warm + self.reps):
            started = time.perf_counter()
            post(k)
            timings.append(time.perf_counter() - started)
        profile = _profile(lambda: post(warm + self.reps))
        self.results.append(
            _summarise(
                "register a call, new phone (API POST)", "consultant", timings, None, None, profile
            )
        )

    # --- the follow-up engine (issue 4) ------------------------------------------------------

    def my_day_selector(self) -> None:
        """my_day() and my_day_reminders() alone, on an open connection, for a fresh user
        object each time (the actor's grants are cached on it, as for one request)."""
        from anchang.followups.my_day.selectors import my_day, my_day_reminders

        def agenda_rows(day) -> int:
            return sum(len(x) for x in (day.due_today, day.overdue, day.new_without_followup,
                                        day.pool_warnings))  # fmt: skip

        def reminder_rows(day) -> int:
            return sum(len(x) for x in (day.care_dates, day.reviews_received, day.revisit_tasks))

        for name, selector, count in (
            ("My day: my_day() selector alone", my_day, agenda_rows),
            ("My day: my_day_reminders() selector alone", my_day_reminders, reminder_rows),
        ):

            def call(selector=selector):
                actor = User.objects.get(pk=self.consultant.pk)
                started = time.perf_counter()
                day = selector(actor)
                return time.perf_counter() - started, day

            for _ in range(self.warmup):
                call()
            timings, rows = [], 0
            for _ in range(self.reps):
                elapsed, day = call()
                timings.append(elapsed)
                rows += count(day)
            profile = _profile(call)
            self.results.append(
                _summarise(
                    name, "consultant", timings, 50, rows / len(timings), profile, self.variant
                )  # fmt: skip
            )

    def followup_picks(self, name: str) -> list[int]:
        """The consultant's customers to record follow-ups on: a different one each time."""
        rng = random.Random(f"{name}|followup")
        ids = [row["id"] for row in self.samples["consultant"]]
        return rng.sample(ids, min(len(ids), self.warmup + self.reps + 1))

    def record_service(self) -> None:
        """followup_record() alone, on an open connection: the customer and a fresh actor
        are read before the clock starts."""
        from anchang.followups.services import followup_record

        name = "record a follow-up: followup_record() service"
        picks = self.followup_picks(name)
        rng = random.Random(name)

        def call(pk: int):
            actor = User.objects.get(pk=self.consultant.pk)
            customer = Customer.objects.select_related("project").get(pk=pk)
            started = time.perf_counter()
            followup_record(actor=actor, customer=customer, kind="phone",
                            content=rng.choice(FOLLOWUP_CONTENTS), reached=True)  # fmt: skip
            return time.perf_counter() - started

        for pk in picks[: self.warmup]:
            call(pk)
        timings = [call(pk) for pk in picks[self.warmup : -1]]
        profile = _profile(lambda: call(picks[-1]))
        self.results.append(_summarise(name, "consultant", timings, 30, 1.0, profile, self.variant))

    def record_page(self) -> None:
        """POST the follow-up form as the consultant: the page redirects to My day (the
        redirect itself is not followed)."""
        client = self.clients["consultant"]
        name = "record a follow-up (page POST)"
        picks = self.followup_picks(name)
        rng = random.Random(name)

        def post(pk: int):
            data = {"kind": "phone", "reached": "yes", "content": rng.choice(FOLLOWUP_CONTENTS),
                    "grade": "", "next": "/"}  # fmt: skip
            url = f"/customers/{pk}/follow-up/"
            response = served(lambda: client.post(url, data))
            if response.status_code != 302:
                raise SystemExit(f"bench: {url} answered {response.status_code}")

        self._time_writes(name, picks, post, 20)

    def record_api(self) -> None:
        client = self.clients["consultant"]
        name = "record a follow-up (API POST)"
        picks = self.followup_picks(name)
        rng = random.Random(name)

        def post(pk: int):
            data = json.dumps({"customer": pk, "kind": "phone", "reached": True,
                               "content": rng.choice(FOLLOWUP_CONTENTS)})  # fmt: skip
            response = served(
                lambda: client.post("/api/v1/followups/", data, content_type="application/json")
            )
            if response.status_code != 201:
                raise SystemExit(f"bench: follow-up API answered {response.status_code}")

        self._time_writes(name, picks, post, 20)

    def _time_writes(self, name: str, picks: list[int], post, target) -> None:
        for pk in picks[: self.warmup]:
            post(pk)
        timings = []
        for pk in picks[self.warmup : -1]:
            started = time.perf_counter()
            post(pk)
            timings.append(time.perf_counter() - started)
        profile = _profile(lambda: post(picks[-1]))
        self.results.append(
            _summarise(name, "consultant", timings, target, 1.0, profile, self.variant)
        )

    # --- deals (issue 16) -----------------------------------------------------------------

    def deal_pages(self) -> list[tuple]:
        """The board of the big project's 500-unit building (the grid fragment htmx polls
        during an opening carries the target; the whole page is shown beside it), the deal
        list and the overdue collections of its manager."""
        board = self.info.get("deals_board_building")
        if board is None:
            return []
        where = f"project={self.project}&building={board}"
        return [
            ("deals: board grid, 500 units (htmx fragment)", "consultant",
             lambda rng: f"/deals/board/grid/?{where}", 100, {"HX-Request": "true"}),
            ("deals: board page, 500 units", "consultant",
             lambda rng: f"/deals/board/?{where}", None),
            ("deals: deal list (in progress, newest first)", "manager",
             lambda rng: "/deals/", 100),
            ("deals: overdue collections", "manager", lambda rng: "/deals/collections/", 100),
        ]  # fmt: skip

    def subscribe_inputs(self, name: str) -> list[tuple[int, int]]:
        """(customer, unit) for each repetition: an available unit of the new release building
        (each repetition takes one), and a customer of the consultant already
        subscribed or an owner (subscribing them again changes no customer state, so the
        tick and My day see the dataset as loaded)."""
        from anchang.deals.models import Unit

        available = Unit.objects.filter(project_id=self.project, status=Unit.Status.AVAILABLE)
        fresh, board = self.info["deals_fresh_building"], self.info["deals_board_building"]
        ids = available.order_by("id").values_list("id", flat=True)
        units = list(ids.filter(building_id=fresh))
        # measured again (--measure-only): then the other buildings' unsold units, never the
        # board's
        units += list(ids.exclude(building_id__in=(fresh, board))[: 2 * (self.warmup + self.reps)])
        customers = list(
            Customer.objects.filter(
                owner=self.consultant, state__in=(State.SUBSCRIBED, State.OWNER)
            ).values_list("id", flat=True)
        ) or [row["id"] for row in self.samples["consultant"]]
        rng = random.Random(f"{name}|subscribe")
        count = self.warmup + self.reps + 1
        taken = self.__dict__.setdefault("_units_taken", set())
        units = [u for u in units if u not in taken][:count]
        if len(units) < count:
            raise SystemExit(f"bench: {name}: {len(units)} available units, {count} needed")
        taken.update(units)
        return [(rng.choice(customers), unit) for unit in units]

    def subscribe_service(self) -> None:
        """deal_subscribe() alone, on an open connection: the customer, the unit and a fresh
        actor are read before the clock starts; each repetition subscribes a new unit with
        a deposit (plan line, milestone tasks, audit) and commits, as the other writes."""
        from anchang.deals.models import Unit
        from anchang.deals.services import DealInput, deal_subscribe

        name = "deals: subscribe, deal_subscribe() service"
        picks = self.subscribe_inputs(name)

        def call(pick: tuple[int, int]) -> float:
            customer_id, unit_id = pick
            actor = User.objects.get(pk=self.consultant.pk)
            customer = Customer.objects.select_related("project", "owner").get(pk=customer_id)
            unit = Unit.objects.get(pk=unit_id)
            price = str(unit.standard_price // 100)
            started = time.perf_counter()
            deal_subscribe(actor=actor, customer=customer, unit=unit,
                           data=DealInput(deal_price=price, payment_method="full",
                                          deposit="20000"))  # fmt: skip
            return time.perf_counter() - started

        for pick in picks[: self.warmup]:
            call(pick)
        timings = [call(pick) for pick in picks[self.warmup : -1]]
        profile = _profile(lambda: call(picks[-1]))
        self.results.append(_summarise(name, "consultant", timings, 50, 1.0, profile, self.variant))

    def subscribe_api(self) -> None:
        """POST /api/v1/deals/ as the consultant, through the whole stack."""
        from anchang.deals.models import Unit

        client = self.clients["consultant"]
        name = "deals: subscribe (API POST)"
        picks = self.subscribe_inputs(name)
        prices = dict(
            Unit.objects.filter(pk__in=[u for _c, u in picks]).values_list("id", "standard_price")
        )

        def post(pick: tuple[int, int]):
            customer_id, unit_id = pick
            data = json.dumps({"customer": customer_id, "unit": unit_id,
                               "deal_price": str(prices[unit_id] // 100),
                               "payment_method": "full", "deposit": "20000"})  # fmt: skip
            response = served(
                lambda: client.post("/api/v1/deals/", data, content_type="application/json")
            )
            if response.status_code != 201:
                raise SystemExit(
                    f"bench: subscribe API answered {response.status_code}: "
                    f"{response.content[:300]!r}"
                )

        self._time_writes(name, picks, post, 50)

    def tick_runs(self) -> None:
        """`anchang tick` over the whole database, twice: the first run reclaims what is due,
        the second finds nothing to do. Each is timed once, with its queries recorded as it
        runs (the first cannot be repeated)."""
        from anchang.scheduler.services import tick

        for label in ("first run", "second run (nothing to do)"):
            close_old_connections()
            seen: list[tuple[float, str, object]] = []

            def timed(execute, sql, params, many, context, seen=seen):
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    seen.append((time.perf_counter() - started, sql, params))

            with connection.execute_wrapper(timed):
                started = time.perf_counter()
                run = tick()
                elapsed = time.perf_counter() - started
            profile = _slowest(seen)
            note = json.dumps(run.changes, sort_keys=True) + (
                f" error: {run.error}" if run.error else ""
            )
            self.results.append(
                _summarise(
                    f"tick: {label}",
                    "scheduler",
                    [elapsed],
                    60_000,
                    None,
                    profile,
                    self.variant,
                    note,
                )  # fmt: skip
            )
            _log(f"tick {label}: {elapsed:.2f} s, {len(seen)} queries, changes {note}")

    # --- the plan --------------------------------------------------------------------------

    def search_url(self, actor: str, kind: str) -> Callable[[random.Random], str]:
        samples = self.samples[actor]

        def make(rng: random.Random) -> str:
            row = rng.choice(samples)
            q = {
                "name": row["name"][0],
                "initials": row["name_initials"][:2],
                "pinyin": name_keys(row["name"][0])[0],
                "last4": row["phone_last4"],
                "phone": row["phone"][3:],
            }[kind]
            return "/customers/?" + urlencode({"q": q})

        return make

    def page_operations(self) -> list[tuple[str, str, Callable[[random.Random], str], float]]:
        states = list(State.values)
        ops = [
            (
                "customer list: state=prospect, order=last_contact",
                "consultant",
                lambda rng: "/customers/?state=prospect&order=last_contact",
                100,
            ),
            ("customer list: default order", "manager", lambda rng: "/customers/", 150),
            (
                "customer list: state filter (random state)",
                "manager",
                lambda rng: f"/customers/?state={rng.choice(states)}",
                150,
            ),
            (
                "customer list: page 200 (deepest)",
                "manager",
                lambda rng: "/customers/?page=200",
                None,
            ),
        ]
        searches = [
            ("name", "search: name prefix (surname, 王)"),
            ("initials", "search: pinyin initials (zs)"),
            ("pinyin", "search: full pinyin prefix (zhang)"),
            ("last4", "search: last 4 digits"),
            ("phone", "search: full phone"),
        ]
        for actor in ("manager", "consultant"):
            for kind, label in searches:
                ops.append((label, actor, self.search_url(actor, kind), 150))
        return ops

    def followup_pages(self) -> list[tuple[str, str, Callable[[random.Random], str], float]]:
        ops = [
            ("My day (home page: the agenda)", "consultant", lambda rng: "/", 50),
            # what the home page fetches once drawn (htmx): comments, revisit tasks, care dates
            (
                "My day: reminders (htmx fragment)",
                "consultant",
                lambda rng: "/my-day/reminders/",
                50,
                {"HX-Request": "true"},
            ),
            ("My day (API)", "consultant", lambda rng: "/api/v1/my-day/", 50),
            ("My day: reminders (API)", "consultant", lambda rng: "/api/v1/my-day/reminders/", 50),
            # Issue 15's targets: the manager's home p95 < 30 ms on the 200,000-customer
            # project, a card p95 < 20 ms (and p50 <= 10, read from the table).
            ("home page: team overdue board", "manager", lambda rng: "/", 30),
            (
                "customer card",
                "consultant",
                lambda rng: f"/customers/{rng.choice(self.followup_picks('customer card'))}/",
                20,
            ),
        ]
        if importlib.util.find_spec("anchang.followups.reviews.selectors"):
            ops.append(("review queue", "manager", lambda rng: "/reviews/", 300))
            ops.append(
                ("review queue (API, 200 records)", "manager", lambda rng: "/api/v1/reviews/", 300)
            )
        if importlib.util.find_spec("anchang.followups.suspicion.services"):
            report = "/reviews/suspicious/?days={}"
            api = "/api/v1/followups/suspicious/?days=365&kind=backdated"
            for actor in ("manager", "admin"):
                for days, label in ((30, "30 days"), (365, "1 year")):
                    url = report.format(days)
                    ops.append((f"suspicious records: {label}", actor, lambda rng, u=url: u, 300))
                ops.append(("suspicious records (API): 1 year, back-dated", actor,
                            lambda rng: api, 300))  # fmt: skip
        return ops

    def reads(self, groups: set[str] = GROUPS) -> None:
        """The read-only operations of the groups: all as is, then under each what-if those
        it can change (intake pages, My day, the manager's pages)."""
        ops = self.page_operations() if "intake" in groups else []
        for op in self.followup_pages():
            if ("manager" if op[1] in ("manager", "admin") else "my-day") in groups:
                ops.append(op)
        if "deals" in groups:
            ops += self.deal_pages()
        for name, actor, make_url, target, *headers in ops:
            self.run_get(name, actor, make_url, target, *headers)
        if "my-day" in groups:
            self.my_day_selector()

    def run(self, what_ifs: list[str], only: set[str] = GROUPS) -> list[dict]:
        from bench.whatif import Unsupported, applied, scope

        if "intake" in only:
            self.phone_lookup()
        self.reads(set(only))
        # What-ifs before the writes: the registrations below add new customers to the
        # consultant's My day, and the tick moves customers to the pool.
        for what_if in what_ifs:
            _log(f"what-if: {what_if}")
            try:
                with applied(what_if):
                    self.variant = f"what-if {what_if}"
                    self.reads(scope(what_if) & set(only))
            except Unsupported as reason:
                _log(f"skipped: {reason}")
            self.variant = "as is"
        if "writes" in only:
            self.register()
            self.record_service()
            self.record_page()
            self.record_api()
        if "deals" in only and self.info.get("deals_fresh_building"):
            self.subscribe_service()
            self.subscribe_api()
        if "tick" in only:
            self.tick_runs()
        return [asdict(r) for r in self.results]


def measure(
    info: dict,
    *,
    reps: int = 200,
    warmup: int = 20,
    max_seconds: float = 120,
    what_ifs=(),
    only=GROUPS,
) -> list[dict]:
    bench = Bench(info, reps=reps, warmup=warmup, max_seconds=max_seconds)
    return bench.run(list(what_ifs), set(only))
