"""Build the benchmark dataset into a fresh database with bulk inserts.

The organisation (company, 2 regions, 10 projects, 50 consultants and 1 manager per
project, the default media) is created through the ORM; customers, their phone index
rows, registrations, follow-ups, review comments, pool events, loss applications, key
care dates and the deals (buildings, units, deals, stage changes, payment lines, receipts,
milestone tasks: `load_deals`) are loaded in bulk: raw `executemany` on SQLite
(synchronous=OFF, no journal, one transaction per table) and COPY on PostgreSQL, both
through Django's own connection.
Secondary indexes and unique constraints are dropped before the load and rebuilt after it
with the exact SQL the migrations created, then the database is analysed. Table and column
names come from the models' `_meta`.

The follow-up engine's data is consistent with its rules (anchang.pool.rules,
anchang.followups.rules) as if the tick had been running all along: a customer's last
reached contact and next follow-up date come from their follow-ups and registrations; a
customer still in play who was quiet too long is in the shared pool (reclaim event, no
owner); the others' clocks have not run out, except a few hundred the next tick reclaims.

Everything is seeded: the same arguments build the same data (timestamps are relative
to the moment of the load, so the newest activity is always "today").
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
from array import array
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.core.management.color import no_style
from django.db import connection
from django.db.models import JSONField, Model

from anchang.customers.choices import AgeBand, Gender, State
from anchang.customers.models import Customer, CustomerPhone, KeyDate, Medium, Registration
from anchang.customers.search import name_keys
from anchang.customers.services import media_ensure_defaults
from anchang.customers.services.tally import tally_rebuild, tally_triggers_ensure
from anchang.demo.followups import FEEDBACK, REVIEW_COMMENTS, UNREACHED, _content
from anchang.demo.names import chinese_name
from anchang.followups.models import (
    FollowUp,
    LossApplication,
    Review,
    ReviewCursor,
    RevisitPlan,
    RevisitTask,
    SuspicionFlag,
    SuspicionScan,
)
from anchang.followups.rules import SIGNALS
from anchang.org.models import Company, Membership, Project, Region, Role, Team, User
from anchang.org.rules import DEFAULT_RULES
from anchang.pool.models import PoolEvent

SEED = 20261122
PROJECTS = 10
CONSULTANTS_PER_PROJECT = 50
BIG_PROJECT_SHARE = 0.2  # 200,000 of 1,000,000 customers in project 0
BENCH_CONSULTANT_CUSTOMERS = 2000
SPAN_SECONDS = 730 * 86400  # customers registered over the last two years
CHUNK = 50_000
UNUSABLE_PASSWORD = "!bench"  # noqa: S105 - an unusable hash: bench users log in by force_login

# Mobile prefixes that libphonenumber accepts for China (154 is not allocated).
PREFIXES = tuple(str(p) for p in [*range(130, 140), *range(150, 160), *range(180, 190)] if p != 154)
_PHONE_A, _PHONE_B, _PHONE_SPACE = 48_271_113, 13_579_246, 10**8  # A coprime to 10**8

STATES = [
    (State.PROSPECT, 82),
    (State.NO_INTENT, 8),
    (State.SUBSCRIBED, 4),
    (State.OWNER, 4),
    (State.LOST, 2),
]
CONTENTS = (
    "咨询户型和价格",
    "询问首付比例",
    "看样板间，对三居感兴趣",
    "关注学区和交通",
    "带家人复看",
    "询问优惠活动",
    "比较了几个楼盘",
    "想了解贷款政策",
    "对楼层有要求",
    "预算偏紧，再考虑",
    "询问交房时间",
    "朋友推荐过来看看",
    "试驾后比较满意",
    "了解装修套餐",
    "电话回访，约周末到访",
)


def national_phone(index: int) -> str:
    """The index-th bench phone, 11 digits: distinct for distinct indexes (an affine
    permutation of the last 8 digits), so indexes past the dataset are unused numbers."""
    suffix = (_PHONE_A * index + _PHONE_B) % _PHONE_SPACE
    return f"{PREFIXES[index % len(PREFIXES)]}{suffix:08d}"


def e164(index: int) -> str:
    return "+86" + national_phone(index)


@dataclass
class LoadReport:
    vendor: str
    customers: int
    phones: int
    registrations: int
    followups: int = 0
    reviews: int = 0
    pool_events: int = 0
    loss_applications: int = 0
    key_dates: int = 0
    suspicion_flags: int = 0
    deals: dict = field(default_factory=dict)  # issue 16: rows per deals table
    seconds: dict[str, float] = field(default_factory=dict)
    rows_per_second: dict[str, float] = field(default_factory=dict)
    info: dict = field(default_factory=dict)


def _log(message: str) -> None:
    print(f"[generate] {message}", file=sys.stderr, flush=True)


# --- bulk loading -----------------------------------------------------------------------


def _columns(model: type[Model], names: list[str]) -> tuple[list[str], list[str], tuple]:
    """(varying columns, constant columns, constant values): every concrete field not in
    `names` gets its model default ('' for text fields, NULL where nullable)."""
    fields = {f.name: f for f in model._meta.concrete_fields}
    varying = [fields[n].column for n in names]
    rest = [f for f in model._meta.concrete_fields if f.name not in names]
    return varying, [f.column for f in rest], tuple(_default(f) for f in rest)


def _default(field):
    """A field's default as a value both loaders write as is (JSON as its text)."""
    value = field.get_default()
    if isinstance(field, JSONField) and value is not None:
        return json.dumps(value)
    if isinstance(value, bool):
        return value if connection.vendor == "sqlite" else ("t" if value else "f")
    return value


class Loader:
    """Drop secondary indexes, bulk insert, rebuild, analyse: one implementation per
    database, both on Django's connection."""

    def __init__(self, models: list[type[Model]]):
        self.models = models
        self.tables = [m._meta.db_table for m in models]
        self.saved: list[str] = []  # SQL that rebuilds what was dropped

    @staticmethod
    def for_connection(models):
        if connection.vendor == "sqlite":
            return SqliteLoader(models)
        if connection.vendor == "postgresql":
            return PostgresLoader(models)
        raise SystemExit(f"bench: unsupported database {connection.vendor}")

    def rebuild(self) -> None:
        with connection.cursor() as cursor:
            for sql in self.saved:
                cursor.execute(sql)
            for sql in connection.ops.sequence_reset_sql(no_style(), self.models):
                cursor.execute(sql)


class SqliteLoader(Loader):
    def begin(self) -> None:
        connection.ensure_connection()
        raw = connection.connection
        for table in self.tables:
            rows = raw.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                (table,),
            ).fetchall()
            for name, sql in rows:
                self.saved.append(sql)
                raw.execute(f'DROP INDEX "{name}"')
        # The customer tally's triggers go too: finish() puts them back and counts once.
        for (name,) in raw.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE 'customers_tally_%'"
        ).fetchall():
            raw.execute(f'DROP TRIGGER "{name}"')
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("PRAGMA journal_mode = OFF")
        raw.execute("PRAGMA synchronous = OFF")
        raw.execute("PRAGMA cache_size = -1000000")  # 1 GB while loading
        raw.execute("BEGIN")

    def insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        marks = ", ".join("?" * len(columns))
        names = ", ".join(f'"{c}"' for c in columns)
        connection.connection.executemany(
            f'INSERT INTO "{table}" ({names}) VALUES ({marks})',  # noqa: S608 - from _meta
            rows,
        )

    def commit(self) -> None:
        connection.connection.execute("COMMIT")
        connection.connection.execute("BEGIN")

    def finish(self) -> None:
        connection.connection.execute("COMMIT")
        raw = connection.connection
        raw.execute("BEGIN")
        self.rebuild()
        raw.execute("COMMIT")
        tally_triggers_ensure()

    def analyse(self) -> None:
        raw = connection.connection
        raw.execute("ANALYZE")
        raw.execute("PRAGMA journal_mode = WAL")
        raw.execute("PRAGMA synchronous = NORMAL")
        raw.execute("PRAGMA foreign_keys = ON")
        problems = raw.execute("PRAGMA foreign_key_check").fetchmany(5)
        if problems:
            raise SystemExit(f"bench: foreign key check failed: {problems}")


class PostgresLoader(Loader):
    def begin(self) -> None:
        with connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'u'",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    self.saved.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
                    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                    "AND indexname NOT IN (SELECT conname FROM pg_constraint "
                    "WHERE conrelid = %s::regclass)",
                    [table, table],
                )
                for name, definition in cursor.fetchall():
                    self.saved.append(definition)
                    cursor.execute(f'DROP INDEX "{name}"')
            # Foreign keys stay declared; their triggers are skipped while loading rows
            # that are consistent by construction (checked below after the load).
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET maintenance_work_mem = '1GB'")

    def insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        lines = [
            "\t".join(["\\N" if v is None else str(v) for v in row]) for row in rows
        ]  # bench values hold no tab, newline or backslash
        lines.append("")
        sql = f'COPY "{table}" ({names}) FROM STDIN'
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write("\n".join(lines))

    def commit(self) -> None:
        pass  # autocommit: each COPY is its own transaction

    def finish(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
        self.rebuild()
        tally_rebuild()  # its triggers were skipped with the foreign keys'

    def analyse(self) -> None:
        # VACUUM also sets the visibility map, as autovacuum would soon after a load.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            # The loaded tables' references to customers and follow-ups, the only parents
            # whose ids the loader computes itself.
            c = Customer._meta.db_table
            checks = [
                (m._meta.db_table, "customer_id", c)
                for m in self.models
                if m is not Customer and "customer" in {f.name for f in m._meta.fields}
            ] + [(Review._meta.db_table, "followup_id", FollowUp._meta.db_table)]
            for child, column, parent in checks:
                if child not in self.tables:
                    continue
                cursor.execute(
                    f'SELECT count(*) FROM "{child}" x LEFT JOIN "{parent}" y '  # noqa: S608
                    f'ON y.id = x."{column}" WHERE y.id IS NULL'
                )
                if cursor.fetchone()[0]:
                    raise SystemExit(f"bench: foreign key check failed: {child}.{column}")


def _day_text():
    """Day number (days since 1970-01-01) -> 'YYYY-MM-DD', cached: tens of millions of
    values are written, over about 730 distinct days."""
    cache: dict[int, str] = {}

    def day(number: int) -> str:
        text = cache.get(number)
        if text is None:
            text = cache[number] = time.strftime("%Y-%m-%d", time.gmtime(number * DAY))
        return text

    return day


def _ts(vendor: str):
    """Seconds since the epoch -> the timestamp text both loaders write (UTC): a cached
    day plus one of 86,400 precomputed times of day, several times faster than strftime."""
    suffix = "+00" if vendor == "postgresql" else ""
    clock = [
        f" {h:02d}:{m:02d}:{s:02d}{suffix}" for h in range(24) for m in range(60) for s in range(60)
    ]
    day = _day_text()

    def fmt(seconds: float) -> str:
        number, rest = divmod(int(seconds), DAY)
        return day(number) + clock[rest]

    return fmt


def _bool(vendor: str):
    return ("t", "f") if vendor == "postgresql" else (1, 0)


# --- the organisation -------------------------------------------------------------------


@dataclass
class Org:
    projects: list[Project]
    consultants: list[list[int]]  # per project index, user ids
    managers: list[int]
    media: list[list[int]]


def build_org(rng: random.Random) -> Org:
    company = Company.objects.create(name="基准置业集团", code="bench")
    regions = [
        Region.objects.create(company=company, name="华东事业部", code="east"),
        Region.objects.create(company=company, name="华南事业部", code="south"),
    ]
    projects = [
        Project.objects.create(
            region=regions[i % 2],
            name=f"基准{i:02d}号营销中心",
            code=f"bench-{i:02d}",
            kind=Project.Kind.REAL_ESTATE,
        )
        for i in range(PROJECTS)
    ]
    teams = [Team.objects.create(project=p, name="销售一组") for p in projects]
    users: list[User] = []
    for i in range(PROJECTS):
        users.append(User(username=f"m{i:02d}", name=chinese_name(rng), password=UNUSABLE_PASSWORD))
        for k in range(CONSULTANTS_PER_PROJECT):
            users.append(
                User(
                    username=f"c{i:02d}-{k:02d}", name=chinese_name(rng), password=UNUSABLE_PASSWORD
                )
            )
    User.objects.bulk_create(users)
    by_name = dict(User.objects.values_list("username", "id"))
    memberships, consultants, managers = [], [], []
    for i, (project, team) in enumerate(zip(projects, teams, strict=True)):
        managers.append(by_name[f"m{i:02d}"])
        consultants.append([by_name[f"c{i:02d}-{k:02d}"] for k in range(CONSULTANTS_PER_PROJECT)])
        for user_id, role in [(managers[-1], Role.MANAGER)] + [
            (u, Role.CONSULTANT) for u in consultants[-1]
        ]:
            memberships.append(
                Membership(user_id=user_id, role=role, company=company, project=project, team=team)
            )
    Membership.objects.bulk_create(memberships)
    media = []
    for project in projects:
        media_ensure_defaults(project=project)
        media.append(list(Medium.objects.filter(project=project).values_list("id", flat=True)))
    return Org(projects, consultants, managers, media)


# --- the follow-up engine's data --------------------------------------------------------

STATE_LIST = [s for s, _w in STATES]  # index in a customer's state byte
PROSPECT, NO_INTENT, SUBSCRIBED, OWNER, LOST = range(5)
GRADES = ("", "A", "B", "C", "D")
# Intent grade by state, as weights over GRADES.
GRADE_WEIGHTS = {
    PROSPECT: (10, 8, 27, 38, 17),
    NO_INTENT: (10, 0, 0, 10, 80),
    SUBSCRIBED: (0, 60, 40, 0, 0),
    OWNER: (0, 100, 0, 0, 0),
    LOST: (40, 0, 0, 0, 60),
}
CADENCE = {1: 7, 2: 14, 3: 30, 4: 90}  # grade index -> days (the project defaults)
POOL_SHARE = 0.4  # customers still in play, quiet for 30 days: this share is in the pool
RECLAIM_DUE_RATE = 0.0007  # owned customers whose clock ran out since the last tick ran
BENCH_DUE_FOR_RECLAIM = 5  # ... of them the benchmark consultant's
NEW_DAYS = 14  # My day's "new customers without a first follow-up" window
NEW_WITHOUT_FOLLOWUP = 0.3  # of the customers registered in those days
REACHED_RATE = 0.72
UNREACHED_AFTER = 0.15  # an unanswered attempt after the last reached contact
CHOSEN_DATE = 0.35  # next date chosen at the follow-up rather than by the cadence
REVIEW_DAYS, REVIEW_RATE = 14, 0.03  # reached follow-ups of these days a manager commented
# Suspicious records as the tick would have stored them: every back-dated record, and of
# the reached ones this many in 256 flagged as filler, copy-paste or a burst.
FLAGGED_OF_256 = 2
FLAG_KINDS = ("filler", "near_duplicate", "burst")
BIRTHDAY_RATE, KEY_DATE_RATE = 0.25, 0.03
LOSS_APPROVED, LOSS_REJECTED, LOSS_PENDING = 0.2, 0.001, 0.0005
PLAN_SAMPLE = 0.02  # project 0's active customers that revisit plans may target
DAY, HOUR = 86400, 3600
# Follow-up i's sort key packs (occurred_at, customer index, reached, last of the customer).
INDEX_BITS = 24
KINDS = ("phone", "phone", "phone", "wechat", "visit", "sms", "event")
IMPRESSIONS = ("", "", "热情", "谨慎", "比较理性")
BOTTLENECKS = ("", "价格", "家人意见", "贷款", "交房时间")
PLANS = ("", "", "约周末到访", "发送最新价格表", "邀请参加暖场活动")
# Seconds from the contact to its entry: mostly minutes, some hours, a few days (flagged).
DELAYS = [60 * k for k in range(1, 60, 3)] * 11 + [HOUR * k for k in range(1, 11)] * 3
DELAYS += [DAY * k + HOUR for k in (1, 1, 2, 3, 3, 4, 5, 6)]
DELAYS = (DELAYS * 2)[:256]
NEXT_OFFSETS = (None, 1, 3, 7, 7, 14, 14, 30)  # an earlier follow-up's next date


def _followup_texts(rng: random.Random, project: Project, end: int):
    """Contents to draw from: 4,096 reached contacts, 16 unanswered attempts."""
    moment = datetime.fromtimestamp(end).astimezone()
    reached = []
    for _ in range(4096):
        kind = rng.choice(KINDS)
        signals = rng.sample(SIGNALS, rng.choice((0, 0, 0, 1, 2)))
        reached.append(
            (
                kind,
                _content(rng, kind, project, chinese_name(rng), moment),
                rng.choice(IMPRESSIONS),
                rng.choice(BOTTLENECKS),
                rng.choice(PLANS),
                json.dumps(sorted(signals)),
            )
        )
    unreached = [
        (rng.choice(("phone", "phone", "wechat")), rng.choice(UNREACHED)) for _ in range(16)
    ]
    return reached, unreached


def _recent(rng: random.Random, end: int, created: int, mean_days: float, within: float) -> int:
    """A contact moment `mean_days` ago on average, within `within` seconds of now and not
    before the customer registered."""
    limit = min(within, end - created)
    age = rng.expovariate(1 / (mean_days * DAY))
    if age >= limit:
        age = rng.random() * limit
    return int(end - age)


# --- the dataset ------------------------------------------------------------------------


def generate(
    *,
    customers: int,
    registrations: int,
    data_dir: Path,
    followups: int = 0,
    deals: int = 0,
    payment_lines: int = 0,
    seed: int = SEED,
) -> dict:
    """Load the dataset into the (freshly migrated, empty) database; return the report."""
    if registrations < customers:
        raise SystemExit("bench: every customer has at least one registration")
    if customers >= 1 << INDEX_BITS:
        raise SystemExit(f"bench: at most {(1 << INDEX_BITS) - 1:,} customers")
    if Customer.objects.exists():
        raise SystemExit("bench: the database already holds customers; use a fresh one")
    vendor = connection.vendor
    rng = random.Random(seed)
    started = time.perf_counter()
    report = LoadReport(vendor, customers, customers, registrations)
    org = build_org(rng)
    ts, (true, false) = _ts(vendor), _bool(vendor)
    day_text = _day_text()
    end = int(time.time()) // 60 * 60
    start = end - SPAN_SECONDS
    # Every project keeps the default rules: local dates in their time zone (no DST).
    offset = int(datetime.fromtimestamp(end, DEFAULT_RULES.tz).utcoffset().total_seconds())
    today = (end + offset) // DAY
    pool_conf = DEFAULT_RULES.pool
    no_contact_s = pool_conf.reclaim_after_days_without_contact * DAY
    no_sub_s = pool_conf.reclaim_after_days_without_subscription * DAY
    warn_s = pool_conf.warn_days_before * DAY

    # Who holds whom: project 0 is the big one; its consultant 0 is the benchmark consultant.
    n = customers
    others = (1 - BIG_PROJECT_SHARE) / (PROJECTS - 1)
    cumulative = [BIG_PROJECT_SHARE + others * k for k in range(PROJECTS - 1)] + [1.0]
    project_of = array("B", bytes(n))
    big: list[int] = []
    for i in range(n):
        p = bisect_right(cumulative, rng.random())
        project_of[i] = p
        if p == 0:
            big.append(i)
    bench_consultant = org.consultants[0][0]
    held = set(rng.sample(big, min(BENCH_CONSULTANT_CUSTOMERS, len(big) // 25 or 1)))
    counts = array("H", [1]) * n
    for _ in range(registrations - n):
        counts[rng.randrange(n)] += 1

    # States first (the follow-up counts depend on them). The benchmark consultant's
    # customers are all active (on My day): mostly prospects, a few subscribed or owners.
    state_weights = [w for _s, w in STATES]
    state_of = array("B", rng.choices(range(len(STATES)), state_weights, k=n))
    for i in held:
        state_of[i] = rng.choices((PROSPECT, SUBSCRIBED, OWNER), (90, 5, 5))[0]
    # A few of them have been held past the no-subscription window: the tick takes them.
    old_enough = int(n * (1 - 100 * DAY / SPAN_SECONDS))
    candidates = sorted(i for i in held if state_of[i] == PROSPECT and i < old_enough)
    held_due = set(rng.sample(candidates, min(BENCH_DUE_FOR_RECLAIM, len(candidates))))

    # Follow-ups per customer: one each (but some new customers have none yet), the rest
    # drawn with customers still in play three times as likely as the others.
    fcounts = array("H", [0]) * n
    recent_from = int(n * (1 - NEW_DAYS * DAY / SPAN_SECONDS))
    base = [i for i in range(n) if i < recent_from or rng.random() >= NEW_WITHOUT_FOLLOWUP]
    if followups >= len(base):
        for i in base:
            fcounts[i] = 1
        tickets = array("I", (i for i in range(n) for _ in range(3 if state_of[i] < 4 else 1)))
        size = len(tickets)
        randrange = rng.randrange
        for _ in range(followups - len(base)):
            fcounts[tickets[randrange(size)]] += 1
        del tickets
    else:
        for i in rng.sample(base, followups):
            fcounts[i] = 1

    cust_names = [
        "id", "project", "owner", "state", "medium", "name", "gender", "age_band", "phone",
        "name_pinyin", "name_initials", "phone_last4", "completeness", "visit_count",
        "call_count", "first_contact_at", "last_contact_at", "created_by", "created_at",
        "updated_at", "grade", "next_follow_up_on", "last_reached_at", "owned_since",
        "pool_entered_at", "birthday",
    ]  # fmt: skip
    c_var, c_const, c_values = _columns(Customer, cust_names)
    p_var, p_const, p_values = _columns(
        CustomerPhone, ["id", "project", "customer", "phone", "slot"]
    )
    reg_names = [
        "id", "project", "customer", "kind", "outcome", "consultant", "occurred_at",
        "left_at", "entered_at", "is_late", "medium", "name_given", "content", "companions",
    ]  # fmt: skip
    r_var, r_const, r_values = _columns(Registration, reg_names)
    f_names = [
        "id", "customer", "project", "author", "kind", "reached", "occurred_at", "entered_at",
        "is_backdated", "content", "grade", "signals", "impression", "bottleneck", "plan",
        "next_on",
    ]  # fmt: skip
    f_var, f_const, f_values = _columns(FollowUp, f_names)
    rv_names = [
        "id", "followup", "project", "reviewer", "consultant", "comment", "created_at", "read_at"
    ]  # fmt: skip
    rv_var, rv_const, rv_values = _columns(Review, rv_names)
    sf_names = [
        "id", "followup", "kind", "project", "customer", "author", "entered_at", "detected_at",
        "details",
    ]  # fmt: skip
    sf_var, sf_const, sf_values = _columns(SuspicionFlag, sf_names)
    pe_names = [
        "id",
        "customer",
        "project",
        "kind",
        "rule",
        "actor",
        "from_owner",
        "to_owner",
        "at",
    ]
    pe_var, pe_const, pe_values = _columns(PoolEvent, pe_names)
    la_names = [
        "id", "customer", "project", "applicant", "reason", "competitor", "note", "status",
        "decided_by", "decided_at", "decision_comment", "created_at",
    ]  # fmt: skip
    la_var, la_const, la_values = _columns(LossApplication, la_names)
    kd_var, kd_const, kd_values = _columns(KeyDate, ["id", "customer", "kind", "date", "note"])

    bulk = [Customer, CustomerPhone, Registration, FollowUp, Review, PoolEvent]
    bulk += [LossApplication, KeyDate, SuspicionFlag]
    if deals:
        from anchang.deals.models import (
            Building,
            Deal,
            MilestoneTask,
            PaymentLine,
            Receipt,
            StageChange,
            Unit,
        )

        bulk += [Building, Unit, Deal, StageChange, PaymentLine, Receipt, MilestoneTask]
    loader = Loader.for_connection(bulk)
    loader.begin()
    c_table, p_table = Customer._meta.db_table, CustomerPhone._meta.db_table
    r_table, f_table = Registration._meta.db_table, FollowUp._meta.db_table

    project_ids = [p.pk for p in org.projects]
    ages = [""] * 4 + list(AgeBand.values) * 2
    genders = list(Gender.values)
    key_kinds = list(KeyDate.Kind.values)
    loss_reasons = ["bought_elsewhere", "budget", "location", "timing", "unreachable"]
    grade_idx = range(len(GRADES))
    keys_cache: dict[str, tuple[str, str]] = {}
    names: list[str] = []
    owner_of = array("I", bytes(4 * n))  # the owner, or the last one for a pool customer
    prev_of = array("I", bytes(4 * n))  # who held a customer before the current owner
    claimed_of = array("I", bytes(4 * n))  # when the current owner took them (0: registered)
    medium_of = array("I", bytes(4 * n))
    grade_of = array("B", bytes(n))
    next_of = array("i", [-1]) * n  # next follow-up, as a local day number
    events: list[int] = []
    fkeys = array("q")
    pool_events: list[tuple] = []
    losses: list[tuple] = []
    key_dates: list[tuple] = []
    plan_sample: list[int] = []
    figures = dict.fromkeys(
        ("in_pool", "due_for_reclaim", "due_but_loss_pending", "bench_due_today",
         "bench_overdue", "bench_future", "bench_no_date", "bench_new_without_followup",
         "bench_pool_warnings", "bench_due_for_reclaim"),
        0,
    )  # fmt: skip
    t0 = time.perf_counter()
    rows_c: list[tuple] = []
    rows_p: list[tuple] = []
    random_ = rng.random
    for i in range(n):
        p = project_of[i]
        st = state_of[i]
        held_i = i in held
        owner = bench_consultant if held_i else org.consultants[p][rng.randrange(p == 0, 50)]
        owner_of[i] = owner
        name = chinese_name(rng)
        names.append(name)
        keys = keys_cache.get(name)
        if keys is None:
            keys = keys_cache[name] = name_keys(name)
        medium = rng.choice(org.media[p])
        medium_of[i] = medium
        created = int(start + (i + random_()) * SPAN_SECONDS / n)
        visit = random_() < 0.45
        visits, calls, last, last_visit = int(visit), int(not visit), created, visit
        events.append((((created << 24) + i) * 2 + visit) * 2 + 1)
        for _ in range(counts[i] - 1):
            at = rng.randint(created, end)
            visit = random_() < 0.5
            visits += visit
            calls += not visit
            if at > last:
                last, last_visit = at, visit
            events.append((((at << 24) + i) * 2 + visit) * 2)
        grade = rng.choices(grade_idx, GRADE_WEIGHTS[st])[0]
        grade_of[i] = grade
        nf = fcounts[i]

        # Who holds the customer since when, and their last reached contact by follow-up
        # (lf): consistent with the pool's clocks as if the tick had always run.
        owned_since, pool_at = created, 0
        quiet_end = end  # unanswered attempts may follow the last reached contact until then
        in_play = st in (PROSPECT, NO_INTENT)
        quiet = created < end - no_contact_s - HOUR and last <= end - no_contact_s - HOUR
        if in_play and not held_i and quiet and random_() < POOL_SHARE:
            # In the pool: reclaimed when its clock ran out; nobody has called since.
            lf = int(created + random_() * (end - no_contact_s - HOUR - created))
            reached_at = max(lf, last)
            held_from = max(created, int(reached_at - random_() * 60 * DAY))
            by_contact, by_sub = reached_at + no_contact_s, held_from + no_sub_s
            pool_at = min(by_contact, by_sub)
            rule = "no_contact" if by_contact <= by_sub else "no_subscription"
            pool_events.append((pool_at, i, "reclaimed", rule, None, owner, None))
            quiet_end = pool_at
            owned_since = 0
            figures["in_pool"] += 1
        elif in_play:
            due = i in held_due or (
                not held_i and created < end - no_sub_s - DAY and random_() < RECLAIM_DUE_RATE
            )
            if due and not held_i and random_() < 0.4 and last <= end - no_contact_s - DAY:
                # Not reached for 30 days (a little more: the tick has not run since).
                lf = int(end - no_contact_s - rng.uniform(HOUR, 72 * HOUR))
                owned_since = max(created, int(lf - random_() * 50 * DAY))
            elif due:
                # Held 90 days without a subscription.
                owned_since = int(end - no_sub_s - rng.uniform(HOUR, 72 * HOUR))
                lf = _recent(rng, end, created, 9, 29.5 * DAY)
            else:
                if created < end - no_sub_s:  # taken from the pool in the last 90 days
                    owned_since = int(end - rng.uniform(0.5 * DAY, no_sub_s - 2 * DAY))
                lf = _recent(rng, end, created, 9, no_contact_s - 0.5 * DAY)
            if owned_since > created:
                # The previous owner lost them to the pool; this one was given them since,
                # and called them right away.
                prev = org.consultants[p][rng.randrange(1, 50)]
                prev_of[i], claimed_of[i] = prev, owned_since
                gone = max(created, int(owned_since - rng.uniform(HOUR, 20 * DAY)))
                rule = rng.choice(("no_contact", "no_subscription"))
                pool_events.append((gone, i, "reclaimed", rule, None, prev, None))
                roll = random_()
                if held_i or roll < 0.2:  # a manager hands out many at once
                    move = ("handed_out", "hand_out", org.managers[p])
                elif roll < 0.9:
                    move = ("claimed", "claim", owner)
                else:
                    move = ("claimed", "returned", owner)
                pool_events.append((owned_since, i, move[0], move[1], move[2], None, owner))
                if lf < owned_since:
                    lf = int(owned_since + random_() * min(end - owned_since, 3 * DAY))
            if (random_() < 0.05) if held_i else (p == 0 and random_() < PLAN_SAMPLE):
                plan_sample.append(i)
        elif st == LOST:
            lf = int(created + random_() * (end - created))
        else:  # subscribed or owner: never reclaimed, followed up less often
            lf = _recent(rng, end, created, 20, end - created)
            if (random_() < 0.05) if held_i else (p == 0 and random_() < PLAN_SAMPLE):
                plan_sample.append(i)

        # The follow-ups: the last reached one at lf, maybe an unanswered attempt after
        # it, the others between registration and lf.
        last_f = 0
        if nf:
            extra = nf >= 2 and random_() < UNREACHED_AFTER
            last_f = int(lf + random_() * (quiet_end - lf)) if extra else lf
            packed = (lf << INDEX_BITS | i) << 2
            fkeys.append(packed | 2 | (not extra))
            if extra:
                fkeys.append((last_f << INDEX_BITS | i) << 2 | 1)
            span = lf - created - 600
            for _ in range(nf - 1 - extra):
                at = created + 600 + int(random_() * span) if span > 0 else created
                fkeys.append((at << INDEX_BITS | i) << 2 | (random_() < REACHED_RATE) << 1)
            reached_at = max(lf, last)  # a registered call or visit is a contact too
        else:
            reached_at = last

        # The next follow-up: chosen at the last follow-up or its grade's cadence; a call
        # or visit registered since moves it to 3 days (1 after a visit) if that is earlier.
        next_day = -1
        if owned_since and st != LOST:
            if nf:
                base_day = (last_f + offset) // DAY
                if random_() < CHOSEN_DATE:
                    next_day = base_day + rng.randint(1, 14)
                elif grade:
                    next_day = base_day + CADENCE[grade]
            if last > last_f:
                proposed = (last + offset) // DAY + (1 if last_visit else 3)
                next_day = proposed if next_day < 0 else min(next_day, proposed)
        next_of[i] = next_day

        if held_i:
            if next_day < 0:
                figures["bench_no_date"] += 1
            elif next_day == today:
                figures["bench_due_today"] += 1
            elif next_day < today:
                figures["bench_overdue"] += 1
            else:
                figures["bench_future"] += 1
            figures["bench_new_without_followup"] += (
                nf == 0 and (created + offset) // DAY >= today - NEW_DAYS
            )
            if st == PROSPECT:
                moment = min(max(owned_since, reached_at) + no_contact_s, owned_since + no_sub_s)
                figures["bench_pool_warnings"] += moment <= end + warn_s

        # Loss applications: approved for some lost customers; a few rejected or pending.
        if st == LOST and random_() < LOSS_APPROVED:
            asked = min(end, int(lf + rng.uniform(HOUR, 2 * DAY)))
            decided = min(end, asked + int(rng.uniform(HOUR, 2 * DAY)))
            reason = rng.choice(loss_reasons)
            losses.append((i, owner, reason, "approved", org.managers[p], decided, asked))
        elif in_play and owned_since:
            # A pending application holds off the reclaim (a manager decides): some of the
            # due ones have one, never the benchmark consultant's.
            roll = random_()
            pending = roll < LOSS_PENDING or (due and not held_i and roll < 0.1)
            if due:
                figures["due_but_loss_pending" if pending else "due_for_reclaim"] += 1
                figures["bench_due_for_reclaim"] += held_i
            if pending:
                asked = int(end - random_() * 10 * DAY)
                losses.append((i, owner, rng.choice(loss_reasons), "pending", None, None, asked))
            elif roll < LOSS_PENDING + LOSS_REJECTED:
                asked = int(end - rng.uniform(2, 60) * DAY)
                decided = min(end, asked + int(rng.uniform(HOUR, 2 * DAY)))
                reason = rng.choice(loss_reasons)
                losses.append((i, owner, reason, "rejected", org.managers[p], decided, asked))
        if random_() < KEY_DATE_RATE:
            key_dates.append((i, rng.choice(key_kinds), today - rng.randint(0, 3650)))
        birthday = day_text(-3650 + rng.randint(0, 365 * 40)) if random_() < BIRTHDAY_RATE else None

        phone = e164(i)
        rows_c.append(
            (
                i + 1,
                project_ids[p],
                owner if owned_since else None,
                STATE_LIST[st],
                medium,
                name,
                rng.choice(genders),
                rng.choice(ages),
                phone,
                keys[0],
                keys[1],
                phone[-4:],
                rng.randint(0, 100),
                visits,
                calls,
                ts(created),
                ts(last),
                owner,
                ts(created),
                ts(last),
                GRADES[grade],
                day_text(next_day) if next_day >= 0 else None,
                ts(reached_at),
                ts(owned_since) if owned_since else None,
                ts(pool_at) if pool_at else None,
                birthday,
            )  # fmt: skip
            + c_values
        )
        rows_p.append((i + 1, project_ids[p], i + 1, phone, 1) + p_values)
        if len(rows_c) >= CHUNK:
            loader.insert(c_table, c_var + c_const, rows_c)
            loader.insert(p_table, p_var + p_const, rows_p)
            rows_c, rows_p = [], []
            if (i + 1) % 200_000 == 0:
                rate = (i + 1) / (time.perf_counter() - t0)
                _log(f"customers {i + 1:,} ({rate:,.0f}/s)")
    if rows_c:
        loader.insert(c_table, c_var + c_const, rows_c)
        loader.insert(p_table, p_var + p_const, rows_p)
    loader.commit()
    # Who may buy (issue 16): the subscribed customers and the owners, all held by someone.
    owners_state = {i: state_of[i] == OWNER for i in range(n) if state_of[i] in (SUBSCRIBED, OWNER)}
    del state_of, counts, fcounts
    report.seconds["customers+phones"] = time.perf_counter() - t0
    _log(f"customers and phones: {report.seconds['customers+phones']:.1f}s")

    t0 = time.perf_counter()
    events.sort()
    rows_r: list[tuple] = []
    kinds = (Registration.Kind.CALL.value, Registration.Kind.VISIT.value)
    outcomes = (Registration.Outcome.RETURN.value, Registration.Outcome.NEW_CUSTOMER.value)
    for rid, key in enumerate(events, start=1):
        first, key = key & 1, key >> 1
        visit, key = key & 1, key >> 1
        i, at = key & 0xFFFFFF, key >> 24
        late = rng.random() < 0.05
        entered = at + (86400 + rng.randint(0, 30000) if late else rng.randint(60, 1800))
        rows_r.append(
            (
                rid,
                project_ids[project_of[i]],
                i + 1,
                kinds[visit],
                outcomes[first],
                owner_of[i],
                ts(at),
                ts(at + rng.randint(1200, 7200)) if visit else None,
                ts(min(entered, end)),
                true if late else false,
                medium_of[i],
                names[i],
                rng.choice(CONTENTS),
                rng.choice((0, 0, 1, 2)) if visit else 0,
            )  # fmt: skip
            + r_values
        )
        if len(rows_r) >= CHUNK * 2:
            loader.insert(r_table, r_var + r_const, rows_r)
            rows_r = []
            if rid % 500_000 == 0:
                _log(f"registrations {rid:,} ({rid / (time.perf_counter() - t0):,.0f}/s)")
    if rows_r:
        loader.insert(r_table, r_var + r_const, rows_r)
    loader.commit()
    del events, rows_r
    report.seconds["registrations"] = time.perf_counter() - t0
    _log(f"registrations: {report.seconds['registrations']:.1f}s")

    # Follow-ups in time order (ids follow entry, as in the product); the manager's
    # comments on some of the last two weeks' as they go.
    t0 = time.perf_counter()
    reached_texts, unreached_texts = _followup_texts(rng, org.projects[0], end)
    ordered = sorted(fkeys)
    del fkeys
    rows_f: list[tuple] = []
    reviews: list[tuple] = []
    flags: list[
        tuple
    ] = []  # (followup, kind, project index, customer index, author, entered, details)
    review_from = end - REVIEW_DAYS * DAY
    backdate_s = DEFAULT_RULES.grading.backdate_flag_days * DAY
    bits = rng.getrandbits
    mask = (1 << INDEX_BITS) - 1
    for fid, key in enumerate(ordered, start=1):
        is_last, reached = key & 1, key & 2
        key >>= 2
        i, at = key & mask, key >> INDEX_BITS
        p = project_of[i]
        author = owner_of[i] if at >= claimed_of[i] else prev_of[i]
        entered = min(at + DELAYS[bits(8)], end)
        if reached:
            kind, content, impression, bottleneck, plan, signals = reached_texts[bits(12)]
            grade = GRADES[grade_of[i]] if bits(3) else ""
        else:
            kind, content = unreached_texts[bits(4)]
            impression = bottleneck = plan = grade = ""
            signals = "[]"
        if is_last:
            next_on = day_text(next_of[i]) if next_of[i] >= 0 else None
        else:
            step = NEXT_OFFSETS[bits(3)]
            next_on = None if step is None else day_text((at + offset) // DAY + step)
        rows_f.append(
            (
                fid,
                i + 1,
                project_ids[p],
                author,
                kind,
                true if reached else false,
                ts(at),
                ts(entered),
                true if entered - at > backdate_s else false,
                content,
                grade,
                signals,
                impression,
                bottleneck,
                plan,
                next_on,
            )  # fmt: skip
            + f_values
        )
        if reached and at >= review_from and rng.random() < REVIEW_RATE:
            reviews.append((fid, p, author, entered))
        if entered - at > backdate_s:
            flags.append((fid, "backdated", p, i, author, entered, {"days": (entered - at) // DAY}))
        elif reached and bits(8) < FLAGGED_OF_256:
            kind = FLAG_KINDS[bits(2) % 3]
            details = {
                "filler": {},
                "near_duplicate": {"other": max(1, fid - 1 - bits(10)), "percent": 85 + bits(3),
                                   "records": 2, "customers": 2},
                "burst": {"count": 5 + bits(2), "minutes": 1 + bits(3), "first": fid, "last": fid},
            }[kind]  # fmt: skip
            flags.append((fid, kind, p, i, author, entered, details))
        if len(rows_f) >= CHUNK * 2:
            loader.insert(f_table, f_var + f_const, rows_f)
            rows_f = []
            if fid % 1_000_000 == 0:
                _log(f"follow-ups {fid:,} ({fid / (time.perf_counter() - t0):,.0f}/s)")
    if rows_f:
        loader.insert(f_table, f_var + f_const, rows_f)
    loader.commit()
    report.followups = len(ordered)
    del ordered, rows_f
    report.seconds["follow-ups"] = time.perf_counter() - t0
    _log(f"follow-ups: {report.seconds['follow-ups']:.1f}s")

    # The rest: review comments, pool events, loss applications, key care dates.
    t0 = time.perf_counter()
    rows = []
    for rid, (fid, p, author, entered) in enumerate(reviews, start=1):
        created = min(end, int(entered + rng.uniform(2 * HOUR, 30 * HOUR)))
        unread = created > end - 3 * DAY and rng.random() < 0.7
        read = None if unread else ts(min(end, int(created + rng.uniform(HOUR, 20 * HOUR))))
        rows.append(
            (
                rid,
                fid,
                project_ids[p],
                org.managers[p],
                author,
                rng.choice(REVIEW_COMMENTS),
                ts(created),
                read,
            )  # fmt: skip
            + rv_values
        )
    loader.insert(Review._meta.db_table, rv_var + rv_const, rows)
    pool_events.sort(key=lambda event: (event[0], event[1]))
    rows = [
        (eid, i + 1, project_ids[project_of[i]], kind, rule, actor, from_, to, ts(at)) + pe_values
        for eid, (at, i, kind, rule, actor, from_, to) in enumerate(pool_events, start=1)
    ]
    loader.insert(PoolEvent._meta.db_table, pe_var + pe_const, rows)
    losses.sort(key=lambda row: row[-1])
    rows = []
    for lid, (i, applicant, reason, status, decider, decided, asked) in enumerate(losses, 1):
        rows.append(
            (
                lid,
                i + 1,
                project_ids[project_of[i]],
                applicant,
                reason,
                "绿城桂语朝阳" if reason == "bought_elsewhere" else "",
                "客户明确表示不再考虑" if reason != "unreachable" else "连续三周电话无人接听",
                status,
                decider,
                ts(decided) if decided else None,
                "" if status == "pending" else rng.choice(FEEDBACK),
                ts(asked),
            )  # fmt: skip
            + la_values
        )
    loader.insert(LossApplication._meta.db_table, la_var + la_const, rows)
    rows = [
        (sid, fid, kind, project_ids[p], i + 1, author, ts(entered), ts(entered + 60),
         json.dumps(details)) + sf_values
        for sid, (fid, kind, p, i, author, entered, details) in enumerate(flags, start=1)
    ]  # fmt: skip
    loader.insert(SuspicionFlag._meta.db_table, sf_var + sf_const, rows)
    report.suspicion_flags = len(flags)
    del flags
    rows = [
        (kid, i + 1, kind, day_text(day), "") + kd_values
        for kid, (i, kind, day) in enumerate(key_dates, start=1)
    ]
    loader.insert(KeyDate._meta.db_table, kd_var + kd_const, rows)
    loader.commit()
    report.seconds["reviews, pool, losses, key dates"] = time.perf_counter() - t0
    _log(f"reviews, pool events, losses, key dates: {time.perf_counter() - t0:.1f}s")

    t0 = time.perf_counter()
    dl = load_deals(
        loader, random.Random(seed + 16), deals=deals, payment_lines=payment_lines,
        buyers=sorted(owners_state), project_of=project_of, owner_of=owner_of, names=names,
        owners_state=owners_state, project_ids=project_ids, managers=org.managers, n=n,
        start=start, end=end, offset=offset,
    )  # fmt: skip
    del owners_state
    if dl.deals:
        report.seconds["deals"] = time.perf_counter() - t0
        _log(
            f"deals: {dl.deals:,} deals ({dl.active:,} active, {dl.overdue:,} overdue), "
            f"{dl.units:,} units in {dl.buildings:,} buildings, {dl.stage_changes:,} stage "
            f"changes, {dl.payment_lines:,} payment lines, {dl.receipts:,} receipts, "
            f"{dl.milestone_tasks:,} milestone tasks: {report.seconds['deals']:.1f}s"
        )

    t0 = time.perf_counter()
    loader.finish()
    report.seconds["indexes"] = time.perf_counter() - t0
    _log(f"indexes and constraints rebuilt: {report.seconds['indexes']:.1f}s")

    # Through the ORM (few rows): revisit plans with tasks on My day, a review cursor.
    plans = build_revisit_plans(rng, org, plan_sample, owner_of, end, today)
    at = datetime.fromtimestamp(end - 20 * HOUR).astimezone()
    ReviewCursor.objects.create(
        reviewer_id=org.managers[0], project=org.projects[0], reviewed_until=at
    )
    # The tick has checked every record so far: it starts from the bench's own writes.
    last = FollowUp.objects.order_by("-entered_at", "-id").values_list("entered_at", "id").first()
    if last is not None:
        SuspicionScan.objects.bulk_create(
            SuspicionScan(project=p, scanned_until=last[0], scanned_id=last[1])
            for p in org.projects
        )

    t0 = time.perf_counter()
    loader.analyse()
    report.seconds["analyze"] = time.perf_counter() - t0
    _log(f"analyze: {report.seconds['analyze']:.1f}s")
    report.seconds["total"] = time.perf_counter() - started
    report.reviews, report.pool_events = len(reviews), len(pool_events)
    report.loss_applications, report.key_dates = len(losses), len(key_dates)
    rows = 2 * n + registrations + report.followups + len(reviews) + len(pool_events)
    rows += len(losses) + len(key_dates)
    deal_rows = dl.buildings + dl.units + dl.deals + dl.stage_changes + dl.payment_lines
    deal_rows += dl.receipts + dl.milestone_tasks
    rows += deal_rows
    report.rows_per_second = {
        "customers+phones": 2 * n / report.seconds["customers+phones"],
        "registrations": registrations / report.seconds["registrations"],
        "follow-ups": report.followups / report.seconds["follow-ups"],
        "overall (incl. indexes, analyze)": rows / report.seconds["total"],
    }
    if dl.deals:
        report.rows_per_second["deals"] = deal_rows / report.seconds["deals"]
    report.deals = {k: v for k, v in asdict(dl).items() if k != "info"}
    report.info = {
        "project_ids": project_ids,
        "big_project": project_ids[0],
        "big_project_customers": len(big),
        "bench_consultant": bench_consultant,
        "bench_consultant_customers": len(held),
        "manager": org.managers[0],
        "phone_indexes": n,
        "medium": org.media[0][0],
        "distinct_names": len(keys_cache),
        "revisit_plans": plans,
        "loaded_at": end,
        **dl.info,
        **figures,
    }
    result = asdict(report)
    (data_dir / "bench-info.json").write_text(json.dumps(result, indent=2))
    return result


def build_revisit_plans(rng, org: Org, sample: list[int], owner_of, end: int, today: int) -> int:
    """Revisit plans in the big project: running ones (tasks on My day), two past their due
    date that the tick closes, one not started, three closed long ago."""
    project, manager = org.projects[0], org.managers[0]
    day = date(1970, 1, 1)
    specs = [(-5 - k, 3 + 2 * k, "open") for k in range(6)]
    specs += [(-20, -2, "open"), (-15, -1, "open"), (3, 20, "open")]
    specs += [(-200 + 30 * k, -180 + 30 * k, "reviewed") for k in range(3)]
    plans = RevisitPlan.objects.bulk_create(
        RevisitPlan(
            project=project,
            created_by_id=manager,
            title=f"回访计划 {k + 1}",
            purpose="新品加推前回访意向客户",
            talking_points="介绍加推房源与优惠，邀约到访",
            starts_on=day + timedelta(days=today + s),
            due_on=day + timedelta(days=today + d),
            status=status,
            criteria={"state": "prospect"},
            closed_at=datetime.fromtimestamp(end + (d + 1) * DAY).astimezone()
            if status == "reviewed"
            else None,
        )  # fmt: skip
        for k, (s, d, status) in enumerate(specs)
    )
    tasks = []
    for plan, (_s, _d, status) in zip(plans, specs, strict=True):
        for i in rng.sample(sample, min(len(sample), 300)):
            done = status == "reviewed" or rng.random() < 0.3
            tasks.append(
                RevisitTask(
                    plan=plan,
                    customer_id=i + 1,
                    owner_id=owner_of[i],
                    status=("done" if rng.random() < 0.7 else "missed") if done else "open",
                    reached=(rng.random() < 0.6) if done else None,
                )  # fmt: skip
            )
    RevisitTask.objects.bulk_create(tasks, batch_size=2000)
    return len(plans)


# --- deals (issue 16) ---------------------------------------------------------------------

FLOORS, UNITS_PER_FLOOR = 25, 20  # a building of 500 units
BUILDING_UNITS = FLOORS * UNITS_PER_FLOOR
BUILDING_FILL = 0.9  # at most this share of a building's units carry an active deal
CANCELLED_RATE = 0.04  # deals cancelled (inactive; their unit may have been sold again)
OVERDUE_RATE = 0.04  # active deals with a plan line due before today and not covered
TASK_OPEN_RATE = 0.02  # milestone tasks past their date never closed
LOAN_RATE = 0.6
LAYOUTS = (("两室两厅", 89), ("三室两厅", 115), ("三室两厅", 128), ("四室两厅", 143))
ORIENTATIONS = ("南北", "南", "东南", "西南")
BANKS = ("中国工商银行", "中国建设银行", "招商银行", "中国银行")
RECEIPT_METHODS = ("transfer", "pos", "card", "wechat")


@dataclass
class DealLoad:
    buildings: int = 0
    units: int = 0
    deals: int = 0
    active: int = 0
    overdue: int = 0
    stage_changes: int = 0
    payment_lines: int = 0
    receipts: int = 0
    milestone_tasks: int = 0
    info: dict = field(default_factory=dict)


def load_deals(
    loader: Loader,
    rng: random.Random,
    *,
    deals: int,
    payment_lines: int,
    buyers: list[int],
    project_of,
    owner_of,
    names: list[str],
    owners_state: dict[int, bool],
    project_ids: list[int],
    managers: list[int],
    n: int,
    start: int,
    end: int,
    offset: int,
) -> DealLoad:
    """Buildings and units in every project, `deals` deals of the customers in `buyers`
    (subscribed or owners: `owners_state[i]` is True for an owner), their stage timeline,
    about `payment_lines` plan lines, the receipts ledger that covers them and some
    milestone tasks. Consistent with the product's rules: one active deal per unit, a unit's
    status follows its active deal's stage, planned/received totals and the earliest
    uncovered due date are the plan's and the ledger's."""
    from anchang.deals import rules as deal_rules
    from anchang.deals.models import (
        Building,
        Deal,
        MilestoneTask,
        PaymentLine,
        Receipt,
        StageChange,
        Unit,
    )

    out = DealLoad()
    if not deals or not buyers:
        return out
    vendor = connection.vendor
    ts, (true, false) = _ts(vendor), _bool(vendor)
    day_text = _day_text()
    today = (end + offset) // DAY
    table = deal_rules.stage_table("real_estate")
    unit_status = table.unit_status
    plan_items = deal_rules.MILESTONE_PLANS["real_estate"]
    horizon = today + DEFAULT_RULES.deals.tasks_ahead_days
    epoch = date(1970, 1, 1)

    # Who buys: deals drawn over the buyers (an owner or a subscribed customer may hold
    # several: a flat and a parking space, two flats), a few cancelled.
    picks = [rng.choice(buyers) for _ in range(deals)]
    cancelled = [rng.random() < CANCELLED_RATE for _ in range(deals)]
    per_project = [0] * len(project_ids)
    for i, gone in zip(picks, cancelled, strict=True):
        per_project[project_of[i]] += not gone

    # Buildings: enough for each project's active deals; project 0's first building is the
    # board measured (500 units), its last one a new release, all available (subscribing).
    b_rows, u_rows = [], []
    units_of: list[list[int]] = []  # per project: unit ids that may carry a deal
    unit_price: dict[int, int] = {}
    fresh_units: list[int] = []
    bid = uid = 0
    stamp = ts(end - 30 * DAY)
    for p, pid in enumerate(project_ids):
        count = max(1, math.ceil(per_project[p] / (BUILDING_UNITS * BUILDING_FILL)))
        ids: list[int] = []
        for b in range(count + (p == 0)):
            bid += 1
            b_rows.append((bid, pid, f"{b + 1}栋", FLOORS, UNITS_PER_FLOOR,
                           "{building}-{floor}{unit:02d}", b + 1))  # fmt: skip
            base_price = rng.randint(18_000, 42_000)  # yuan per m²
            for floor in range(1, FLOORS + 1):
                for position in range(1, UNITS_PER_FLOOR + 1):
                    uid += 1
                    layout, area = LAYOUTS[position % len(LAYOUTS)]
                    price = (base_price + floor * 150) * area * 100  # fen
                    unit_price[uid] = price
                    u_rows.append([uid, pid, "flat", f"{b + 1}-{floor}{position:02d}", bid, floor,
                                   position, layout, f"{area}.00", f"{area * 0.8:.2f}",
                                   ORIENTATIONS[position % 4], price, price * 96 // 100,
                                   "available", 1, stamp])  # fmt: skip
                    if p == 0 and b == count:
                        fresh_units.append(uid)
                    else:
                        ids.append(uid)
        if p == 0:
            out.info["deals_board_building"] = bid - count  # project 0's first building
            out.info["deals_fresh_building"] = bid
        units_of.append(ids)
    out.buildings, out.units = bid, uid
    row_of = {row[0]: row for row in u_rows}
    free = [rng.sample(ids, len(ids)) for ids in units_of]  # taken from the end

    # Deals in time order (ids follow creation, as in the product).
    lines_mean = payment_lines / deals
    specs = []
    for i, gone in zip(picks, cancelled, strict=True):
        p = project_of[i]
        born = start + (i + 1) * SPAN_SECONDS // n  # not before the customer registered
        owner = owners_state[i] and not gone
        if owner:  # signed at least: subscribed 10 days to 2 years ago
            t0 = int(end - rng.uniform(10 * DAY, SPAN_SECONDS))
        else:  # a subscription of the last weeks (or a cancelled one)
            t0 = int(end - min(rng.expovariate(1 / (20 * DAY)), 200 * DAY))
        t0 = max(t0, born + HOUR)
        t0 = min(t0, end - 60)
        specs.append((t0, i, p, owner, gone))
    specs.sort()

    d_var, d_const, d_values = _columns(Deal, [
        "id", "project", "customer", "unit", "buyer_name", "consultant", "stage", "stage_at",
        "is_active", "cancelled_at", "standard_price", "deal_price", "discount_permille",
        "payment_method", "bank", "loan_amount", "loan_years", "due_on", "planned_total",
        "received_total", "collect_due_on", "created_by", "created_at",
    ])  # fmt: skip
    s_var, s_const, s_values = _columns(
        StageChange, ["id", "deal", "project", "kind", "stage", "what", "note", "actor", "at"]
    )
    l_var, l_const, l_values = _columns(PaymentLine, ["id", "deal", "kind", "due_on", "amount"])
    r_var, r_const, r_values = _columns(Receipt, [
        "id", "deal", "project", "amount", "method", "voucher", "recorded_by", "received_on",
        "at",
    ])  # fmt: skip
    t_var, t_const, t_values = _columns(MilestoneTask, [
        "id", "deal", "customer", "project", "assignee", "key", "due_on", "closes_with",
        "done_at", "dropped", "created_at",
    ])  # fmt: skip
    rows_d, rows_s, rows_l, rows_r, rows_t = [], [], [], [], []
    sid = lid = rid = tid = 0
    methods = ("full", "mortgage", "provident", "combined")

    def flush(final: bool = False) -> None:
        for tbl, var, const, rows in (
            (Deal._meta.db_table, d_var, d_const, rows_d),
            (StageChange._meta.db_table, s_var, s_const, rows_s),
            (PaymentLine._meta.db_table, l_var, l_const, rows_l),
            (Receipt._meta.db_table, r_var, r_const, rows_r),
            (MilestoneTask._meta.db_table, t_var, t_const, rows_t),
        ):
            if rows and (final or len(rows) >= CHUNK):
                loader.insert(tbl, var + const, rows)
                rows.clear()

    for did, (t0, i, p, owner, gone) in enumerate(specs, start=1):
        pid, consultant = project_ids[p], owner_of[i]
        unit = rng.choice(units_of[p]) if gone else free[p].pop()
        standard = unit_price[unit]
        permille = rng.choice((0, 0, 5, 10, 15, 20, 30))
        price = standard * (1000 - permille) // 1000
        has_loan = rng.random() < LOAN_RATE
        method = rng.choice(methods[1:]) if has_loan else "full"
        loan = (
            price * rng.choice((50, 60, 65, 70)) // 100 // 1_000_000 * 1_000_000 if has_loan else 0
        )
        # The stages entered, in time; an owner has signed at least.
        times = [t0]
        for stage, gap in (("signing", (3, 30)), ("filing", (5, 30)), ("loan", (15, 60)),
                           ("handover", (60, 400))):  # fmt: skip
            if stage == "loan" and not has_loan:
                continue
            at = times[-1] + int(rng.uniform(*gap) * DAY)
            if at > end or not owner:
                break
            times.append(at)
        stages = [s for s in table.stages if s != "loan" or has_loan][: len(times)]
        if owner and len(times) == 1:
            times.append(min(end - 30, t0 + int((end - t0) * rng.random())))
            stages.append("signing")
        for stage, at in zip(stages, times, strict=True):
            sid += 1
            rows_s.append((sid, did, pid, "entered", stage, "", "", consultant, ts(at)) + s_values)
        cancelled_at = None
        if gone:
            cancelled_at = min(end - 30, t0 + int(rng.uniform(HOUR, 20 * DAY)))
            sid += 1
            why = "客户资金原因退订"
            rows_s.append((sid, did, pid, "cancelled", stages[-1], table.cancel_kind, why,
                           managers[p], ts(cancelled_at)) + s_values)  # fmt: skip
        stage, stage_at = stages[-1], times[-1]
        if not gone:
            row_of[unit][13] = unit_status[stage]
            row_of[unit][15] = ts(stage_at)

        # The plan: a deposit, a down payment, instalments, the loan last; monthly.
        k = max(2, round(lines_mean - 2 + rng.random() * 4)) if lines_mean >= 2 else 1
        day0 = (t0 + offset) // DAY
        amounts = []
        if k == 1:
            amounts = [("balance", price)]
        else:
            rest_lines = k - 1 - (1 if has_loan else 0)
            deposit = max(1, price // 50) if rest_lines >= 1 else 0
            remaining = price - loan - deposit
            amounts = [("deposit", deposit)] if deposit else []
            parts = k - len(amounts) - (1 if has_loan else 0)
            for j in range(parts):
                share = remaining // parts if j < parts - 1 else remaining - remaining // parts * j
                amounts.append(("down_payment" if j == 0 else "instalment", share))
            if has_loan:
                amounts.append(("loan", loan))
            amounts = [(kind, a) for kind, a in amounts if a > 0]
            if sum(a for _k, a in amounts) != price:  # rounding: the last line takes it
                kind, a = amounts[-1]
                amounts[-1] = (kind, a + price - sum(a for _k, a in amounts))
        due_days = [day0 + 30 * j for j in range(len(amounts))]
        planned = sum(a for _k, a in amounts)
        # The ledger: what fell due is paid (a few days late at most), except an overdue
        # deal's line from some point on; a cancelled deal paid nothing.
        late = (not gone) and due_days[0] < today and rng.random() < OVERDUE_RATE
        stop = len(amounts)
        if gone:
            stop = 0
        elif late:
            past = [j for j, d in enumerate(due_days) if d < today]
            stop = rng.choice(past)
        received, collect = 0, None
        for j, ((kind, amount), due) in enumerate(zip(amounts, due_days, strict=True)):
            lid += 1
            rows_l.append((lid, did, kind, day_text(due), amount) + l_values)
            if j < stop and due <= today:
                rid += 1
                paid = min(today, due + rng.choice((0, 0, 0, 1, 2, 5)))
                at = min(end - 60, max(t0, paid * DAY - offset + 10 * HOUR))
                method_r = rng.choice(RECEIPT_METHODS)
                rows_r.append((rid, did, pid, amount, method_r, f"BR{rid:09d}", consultant,
                               day_text(paid), ts(at)) + r_values)  # fmt: skip
                received += amount
            elif collect is None:
                collect = due
        if gone:
            collect = None
        out.overdue += collect is not None and collect < today
        # a subscription not yet signed has its due signing date (the next weeks)
        due_day = day0 + 20 if stage == "subscription" and not gone and day0 + 20 >= today else None
        rows_d.append(
            (
                did,
                pid,
                i + 1,
                unit,
                names[i],
                consultant,
                stage,
                ts(stage_at),
                false if gone else true,
                ts(cancelled_at) if cancelled_at else None,
                standard,
                price,
                permille,
                method,
                rng.choice(BANKS) if has_loan else "",
                loan,
                rng.choice((20, 25, 30)) if has_loan else 0,
                day_text(due_day) if due_day is not None else None,
                planned,
                received,
                day_text(collect) if collect is not None else None,
                consultant,
                ts(t0),
            )  # fmt: skip
            + d_values
        )
        # Milestone tasks as the product and the tick would have made them: every plan item
        # whose anchor (a stage entered, the due signing date) came and whose date falls
        # within the tick's horizon; done once past, except a few; a cancelled deal's open
        # ones dropped.
        anchors = {s: (at + offset) // DAY for s, at in zip(stages, times, strict=True)}
        if due_day is not None:
            anchors["due"] = due_day
        for item in plan_items:
            anchor = anchors.get(item.anchor)
            if anchor is None or (gone and item.anchor != "subscription"):
                continue
            due = (deal_rules.milestone_due(item, epoch + timedelta(days=anchor), {}) - epoch).days
            if due > horizon:
                continue
            done = due < today - 1 and (gone or rng.random() >= TASK_OPEN_RATE)
            done = done or (due <= today and rng.random() < 0.5)
            closed_at = min(end - 60, max(t0, due * DAY - offset + 15 * HOUR))
            tid += 1
            rows_t.append((tid, did, i + 1, pid, consultant, item.key, day_text(due),
                           ",".join(item.closes_with), ts(closed_at) if done else None,
                           true if gone and not done else false, ts(t0)) + t_values)  # fmt: skip
        out.active += not gone
        flush()
    flush(final=True)

    b_var, b_const, b_values = _columns(
        Building, ["id", "project", "name", "floors", "units_per_floor", "pattern", "sort_order"]
    )
    loader.insert(Building._meta.db_table, b_var + b_const, [r + b_values for r in b_rows])
    u_var, u_const, u_values = _columns(Unit, [
        "id", "project", "kind", "code", "building", "floor", "position", "layout",
        "gross_area", "net_area", "orientation", "standard_price", "floor_price", "status",
        "version", "updated_at",
    ])  # fmt: skip
    for k in range(0, len(u_rows), CHUNK):
        loader.insert(Unit._meta.db_table, u_var + u_const,
                      [tuple(row) + u_values for row in u_rows[k : k + CHUNK]])  # fmt: skip
    loader.commit()
    out.deals, out.stage_changes, out.payment_lines = len(specs), sid, lid
    out.receipts, out.milestone_tasks = rid, tid
    out.info["deals_fresh_units"] = len(fresh_units)
    return out
