"""Build the benchmark dataset into a fresh database with bulk inserts.

The organisation (company, 2 regions, 10 projects, 50 consultants and 1 manager per
project, the default media) is created through the ORM; customers, their phone index
rows and registrations are loaded in bulk: raw `executemany` on SQLite (synchronous=OFF,
no journal, one transaction per table) and COPY on PostgreSQL, both through Django's
own connection. Secondary indexes and unique constraints are dropped before the load
and rebuilt after it with the exact SQL the migrations created, then the database is
analysed. Table and column names come from the models' `_meta`.

Everything is seeded: the same arguments build the same data (timestamps are relative
to the moment of the load, so the newest activity is always "today").
"""

from __future__ import annotations

import json
import random
import sys
import time
from array import array
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.core.management.color import no_style
from django.db import connection
from django.db.models import JSONField, Model

from anchang.customers.choices import AgeBand, Gender, State
from anchang.customers.models import Customer, CustomerPhone, Medium, Registration
from anchang.customers.search import name_keys
from anchang.customers.services import media_ensure_defaults
from anchang.demo.names import chinese_name
from anchang.org.models import Company, Membership, Project, Region, Role, Team, User

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

    def analyse(self) -> None:
        # VACUUM also sets the visibility map, as autovacuum would soon after a load.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            c, r, p = (m._meta.db_table for m in (Customer, Registration, CustomerPhone))
            cursor.execute(
                f'SELECT count(*) FROM "{r}" r LEFT JOIN "{c}" c ON c.id = r.customer_id '  # noqa: S608
                f'WHERE c.id IS NULL UNION ALL SELECT count(*) FROM "{p}" p '
                f'LEFT JOIN "{c}" c ON c.id = p.customer_id WHERE c.id IS NULL'
            )
            if any(n for (n,) in cursor.fetchall()):
                raise SystemExit("bench: foreign key check failed")


def _ts(vendor: str):
    suffix = "+00" if vendor == "postgresql" else ""
    gmtime, strftime = time.gmtime, time.strftime

    def fmt(seconds: float) -> str:
        return strftime("%Y-%m-%d %H:%M:%S", gmtime(seconds)) + suffix

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


# --- the dataset ------------------------------------------------------------------------


def generate(*, customers: int, registrations: int, data_dir: Path, seed: int = SEED) -> dict:
    """Load the dataset into the (freshly migrated, empty) database; return the report."""
    if registrations < customers:
        raise SystemExit("bench: every customer has at least one registration")
    if Customer.objects.exists():
        raise SystemExit("bench: the database already holds customers; use a fresh one")
    vendor = connection.vendor
    rng = random.Random(seed)
    started = time.perf_counter()
    report = LoadReport(vendor, customers, customers, registrations)
    org = build_org(rng)
    ts, (true, false) = _ts(vendor), _bool(vendor)
    end = int(time.time()) // 60 * 60
    start = end - SPAN_SECONDS

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

    cust_names = [
        "id", "project", "owner", "state", "medium", "name", "gender", "age_band", "phone",
        "name_pinyin", "name_initials", "phone_last4", "completeness", "visit_count",
        "call_count", "first_contact_at", "last_contact_at", "created_by", "created_at",
        "updated_at",
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

    loader = Loader.for_connection([Customer, CustomerPhone, Registration])
    loader.begin()
    c_table, p_table = Customer._meta.db_table, CustomerPhone._meta.db_table
    r_table = Registration._meta.db_table

    project_ids = [p.pk for p in org.projects]
    states = [s for s, _w in STATES]
    state_weights = [w for _s, w in STATES]
    ages = [""] * 4 + list(AgeBand.values) * 2
    genders = list(Gender.values)
    keys_cache: dict[str, tuple[str, str]] = {}
    names: list[str] = []
    owner_of = array("I", bytes(4 * n))
    medium_of = array("I", bytes(4 * n))
    events: list[int] = []
    t0 = time.perf_counter()
    rows_c: list[tuple] = []
    rows_p: list[tuple] = []
    for i in range(n):
        p = project_of[i]
        owner = bench_consultant if i in held else org.consultants[p][rng.randrange(p == 0, 50)]
        owner_of[i] = owner
        name = chinese_name(rng)
        names.append(name)
        keys = keys_cache.get(name)
        if keys is None:
            keys = keys_cache[name] = name_keys(name)
        medium = rng.choice(org.media[p])
        medium_of[i] = medium
        created = int(start + (i + rng.random()) * SPAN_SECONDS / n)
        visit = rng.random() < 0.45
        visits, calls, last = int(visit), int(not visit), created
        events.append((((created << 24) + i) * 2 + visit) * 2 + 1)
        for _ in range(counts[i] - 1):
            at = rng.randint(created, end)
            visit = rng.random() < 0.5
            visits += visit
            calls += not visit
            last = max(last, at)
            events.append((((at << 24) + i) * 2 + visit) * 2)
        phone = e164(i)
        rows_c.append(
            (
                i + 1,
                project_ids[p],
                owner,
                rng.choices(states, state_weights)[0],
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
    report.seconds["registrations"] = time.perf_counter() - t0
    _log(f"registrations: {report.seconds['registrations']:.1f}s")

    t0 = time.perf_counter()
    loader.finish()
    report.seconds["indexes"] = time.perf_counter() - t0
    _log(f"indexes and constraints rebuilt: {report.seconds['indexes']:.1f}s")
    t0 = time.perf_counter()
    loader.analyse()
    report.seconds["analyze"] = time.perf_counter() - t0
    _log(f"analyze: {report.seconds['analyze']:.1f}s")
    report.seconds["total"] = time.perf_counter() - started
    rows = 2 * n + registrations
    report.rows_per_second = {
        "customers+phones": 2 * n / report.seconds["customers+phones"],
        "registrations": registrations / report.seconds["registrations"],
        "overall (incl. indexes, analyze)": rows / report.seconds["total"],
    }
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
    }
    result = asdict(report)
    (data_dir / "bench-info.json").write_text(json.dumps(result, indent=2))
    return result
