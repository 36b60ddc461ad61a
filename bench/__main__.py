"""python -m bench [--db sqlite|postgres|both] [--customers N] [--registrations N] [--followups N]

Builds the dataset into a fresh database and times the key operations, for each database
in its own process, because Django's settings must see the environment before
django.setup(): SQLite in var/bench-sqlite/ (recreated every run; never the developer's
var/ database), PostgreSQL in a throwaway server (scripts/throwaway_postgres.py, which
sets DATABASE_URL). Prints the machine, the load times and the table; writes
var/bench-results/<db>.json (every figure, the slowest query of each operation and its
plan) and var/bench-results/report.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "var" / "bench-results"
DATA_DIRS = {"sqlite": REPO / "var" / "bench-sqlite", "postgres": REPO / "var" / "bench-postgres"}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[2])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--registrations", type=int, default=3_000_000)
    parser.add_argument(
        "--followups",
        type=int,
        default=10_000_000,
        help="follow-up records (跟进记录) spread over the customers",
    )
    parser.add_argument(
        "--deals",
        type=int,
        default=200_000,
        help="deals (成交) over the subscribed customers and owners, with units, stage "
        "changes, receipts and milestone tasks (issue 16)",
    )
    parser.add_argument(
        "--payment-lines",
        type=int,
        default=1_000_000,
        help="payment plan lines spread over the deals (about 5 a deal by default)",
    )
    parser.add_argument("--reps", type=int, default=200, help="timed repetitions per operation")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="SQLite only: time the dataset already in var/bench-sqlite/ again",
    )
    parser.add_argument(
        "--extra-sql",
        action="append",
        default=[],
        help="SQL run on the bench database after the load (e.g. a CREATE INDEX to try); "
        "the results are labelled with it",
    )
    parser.add_argument(
        "--what-if",
        action="append",
        default=[],
        help="after the measurements as is, time the pages again with a product "
        "variant applied in the bench process only (bench/whatif.py): phone-index, "
        "unfolded-scope, no-stats (SQLite), or several joined by +",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=120,
        help="stop timing one operation after this long (n then says how many ran)",
    )
    parser.add_argument(
        "--no-prewarm",
        action="store_true",
        help="measure right after the load, without flushing it and reading the database "
        "into the OS cache first",
    )
    parser.add_argument(
        "--only",
        default="intake,my-day,manager,writes,deals,tick",
        help="operation groups to time, comma-separated: intake (lists, searches, the phone "
        "lookup), my-day, manager (home page, review queue), writes (registration, "
        "follow-ups), deals (board, deal list, collections, subscribing), tick",
    )
    parser.add_argument(
        "--no-lock",
        action="store_true",
        help="do not pin the database files in memory while measuring (the OS cache of this "
        "VM then shrinks as the run goes on)",
    )
    parser.add_argument("--worker", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    groups = {"intake", "my-day", "manager", "writes", "deals", "tick"}
    unknown = set(args.only.split(",")) - groups
    if unknown:
        parser.error(f"--only: unknown groups {', '.join(sorted(unknown))}")
    if args.registrations < args.customers:
        parser.error("--registrations must be at least --customers")
    return args


# --- the parent: one subprocess per database ----------------------------------------------


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "python": platform.python_version()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    info["kernel"] = platform.release()
    info["loadavg"] = os.getloadavg()
    return info


def run_database(db: str, args: argparse.Namespace) -> dict | None:
    data_dir = DATA_DIRS[db]
    if not args.measure_only or db == "postgres":
        shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    (data_dir / "static").mkdir(exist_ok=True)  # STATIC_ROOT: WhiteNoise warns when missing
    out = RESULTS / f"{db}.json"
    out.unlink(missing_ok=True)
    env = dict(os.environ, ANCHANG_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="bench.settings")
    env.pop("DATABASE_URL", None)
    command = [
        sys.executable, "-m", "bench", "--worker", db, "--customers", str(args.customers),
        "--registrations", str(args.registrations), "--followups", str(args.followups),
        "--deals", str(args.deals), "--payment-lines", str(args.payment_lines),
        "--reps", str(args.reps), "--warmup", str(args.warmup),
    ]  # fmt: skip
    if args.measure_only:
        command.append("--measure-only")
    if args.no_prewarm:
        command.append("--no-prewarm")
    if args.no_lock:
        command.append("--no-lock")
    command += ["--only", args.only]
    command += ["--max-seconds", str(args.max_seconds)]
    for sql in args.extra_sql:
        command += ["--extra-sql", sql]
    for what_if in args.what_if:
        command += ["--what-if", what_if]
    if db == "postgres":
        sys.path.insert(0, str(REPO / "scripts"))
        import throwaway_postgres

        if throwaway_postgres.find_bindir() is None:
            print("bench: PostgreSQL binaries not found; skipping PostgreSQL", file=sys.stderr)
            return None
        command = [sys.executable, str(REPO / "scripts" / "throwaway_postgres.py"), "--", *command]
    print(f"bench: {db}: {' '.join(command[-12:])}", file=sys.stderr, flush=True)
    code = subprocess.run(command, env=env, cwd=REPO).returncode
    if code != 0 or not out.exists():
        print(f"bench: the {db} run failed (exit code {code})", file=sys.stderr)
        return None
    return json.loads(out.read_text())


def _load(values) -> str:
    return "/".join(f"{v:.1f}" for v in values)


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def render(runs: list[dict], host: dict) -> str:
    lines = []
    first = runs[0]
    load = first["load"]
    info = load["info"]
    lines.append(
        f"Dataset: {load['customers']:,} customers, {load['phones']:,} phone index rows, "
        f"{load['registrations']:,} registrations, {load.get('followups', 0):,} follow-ups, "
        f"{load.get('reviews', 0):,} review comments, {load.get('pool_events', 0):,} pool "
        f"events, {load.get('loss_applications', 0):,} loss applications; big project "
        f"{info['big_project_customers']:,} customers, benchmark consultant "
        f"{info['bench_consultant_customers']:,}."
    )
    deals = load.get("deals") or {}
    if deals.get("deals"):
        lines.append(
            f"Deals: {deals['deals']:,} deals ({deals['active']:,} active, {deals['overdue']:,} "
            f"overdue), {deals['units']:,} units in {deals['buildings']:,} buildings, "
            f"{deals['stage_changes']:,} stage changes, {deals['payment_lines']:,} payment "
            f"lines, {deals['receipts']:,} receipts, {deals['milestone_tasks']:,} milestone "
            "tasks."
        )
    if "in_pool" in info:
        lines.append(
            f"Follow-up engine: {info['in_pool']:,} customers in the shared pool, "
            f"{info['due_for_reclaim']:,} due for reclaim at the first tick; the benchmark "
            f"consultant's next follow-ups when loaded: {info['bench_due_today']} due today, "
            f"{info['bench_overdue']} overdue, {info['bench_future']} later, "
            f"{info['bench_no_date']} without a date; {info['bench_new_without_followup']} "
            f"new without a first follow-up, {info['bench_pool_warnings']} pool warnings "
            f"({info['bench_due_for_reclaim']} due now)."
        )
    lines.append(
        f"Machine: {host.get('nproc')} CPUs ({host.get('cpu', '?')}), "
        f"{host.get('ram_gib', '?')} GiB RAM, Linux {host.get('kernel')}, "
        f"Python {host.get('python')}; load average (1, 5, 15 min) before "
        f"{_load(host['loadavg_before'])}, after {_load(host['loadavg'])}."
    )
    for run in runs:
        lines.append(f"{run['db']}: {run['version']}.")
    lines.append("")
    lines.append("Load (seconds; rows/s):")
    for run in runs:
        s, r = run["load"]["seconds"], run["load"]["rows_per_second"]
        if not s:
            lines.append(f"- {run['db']}: measured an existing dataset (no load this run)")
            continue
        followups = (
            f"follow-ups {s['follow-ups']:.0f} s ({r['follow-ups']:,.0f} rows/s), "
            f"reviews, pool, losses, key dates {s['reviews, pool, losses, key dates']:.0f} s, "
            if "follow-ups" in s
            else ""
        )
        if "deals" in s:
            followups += f"deals {s['deals']:.0f} s ({r['deals']:,.0f} rows/s), "
        lines.append(
            f"- {run['db']}: customers+phones {s['customers+phones']:.0f} s "
            f"({r['customers+phones']:,.0f} rows/s), registrations {s['registrations']:.0f} s "
            f"({r['registrations']:,.0f} rows/s), {followups}indexes {s['indexes']:.0f} s, "
            f"analyze {s['analyze']:.0f} s, total {s['total']:.0f} s "
            f"({r['overall (incl. indexes, analyze)']:,.0f} rows/s overall)"
        )
        lines.append(f"  cache: {run['load'].get('cache', '?')}")
        if run.get("extra_sql"):
            lines.append(f"  extra SQL after the load: {'; '.join(run['extra_sql'])}")
    lines.append("")
    variants = []
    for run in runs:
        for r in run["results"]:
            if r["variant"] not in variants:
                variants.append(r["variant"])
    for variant in variants:
        lines += _table(runs, variant)
    return "\n".join(lines)


def _table(runs: list[dict], variant: str) -> list[str]:
    """One table per variant; a what-if's table also shows the p95 measured as is."""
    as_is = variant == "as is"
    lines = (
        []
        if as_is
        else ["", f"What-if `{variant.removeprefix('what-if ')}` (bench/whatif.py):", ""]
    )
    header = "| operation | as | db | n | p50 ms | p95 ms | p99 ms | queries | rows |"
    header += " target p95 | result |" if as_is else " p95 as is |"
    lines += [
        header,
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|" + ("---|" if as_is else ""),
    ]
    keys = []
    for run in runs:
        for r in run["results"]:
            if r["variant"] == variant and (r["operation"], r["actor"]) not in keys:
                keys.append((r["operation"], r["actor"]))
    for operation, actor in keys:
        for run in runs:
            by_key = {(r["operation"], r["actor"], r["variant"]): r for r in run["results"]}
            r = by_key.get((operation, actor, variant))
            if r is None:
                continue
            rows = "" if r["rows"] is None else f"{r['rows']:.0f}"
            line = (
                f"| {operation} | {actor} | {run['db']} | {r['n']} | {_ms(r['p50'])} | "
                f"{_ms(r['p95'])} | {_ms(r['p99'])} | {r['queries']} | {rows} |"
            )
            if as_is:
                verdict = "—" if r["passed"] is None else ("pass" if r["passed"] else "**FAIL**")
                target = f"< {r['target']:g}" if r["target"] else "—"
                line += f" {target} | {verdict} |"
            else:
                before = by_key.get((operation, actor, "as is"))
                line += f" {_ms(before['p95']) if before else ''} |"
            lines.append(line)
    return lines


def main_parent(args: argparse.Namespace) -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    started, load_before = time.time(), os.getloadavg()
    runs = [run for db in dbs if (run := run_database(db, args)) is not None]
    if not runs:
        return 1
    host = machine()
    host["loadavg_before"] = load_before
    text = render(runs, host)
    (RESULTS / "report.md").write_text(text + "\n")
    print()
    print(text)
    print(f"\n(bench ran {time.time() - started:.0f} s; details in {RESULTS}/)")
    failed = [
        r
        for run in runs
        for r in run["results"]
        if r["passed"] is False and r["variant"] == "as is"
    ]
    return 0 if len(runs) == len(dbs) and not failed else 1


# --- the worker: one database, settings from the environment ------------------------------


def create_postgres_database() -> None:
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    name = params.pop("dbname")
    params = {k: v for k, v in params.items() if k in {"host", "port", "user", "password"}}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def settle(vendor: str, sqlite_path: Path, lock: bool = True) -> str:
    """Measure a database at rest, as a server that has been running a while: the load's
    writes flushed to disk (a bulk load leaves a gigabyte of dirty pages whose write-back
    would otherwise compete with the first operations) and the database read once into
    the operating system's cache."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("CHECKPOINT")
    os.sync()
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            with open(sqlite_path, "rb") as db:
                while db.read(1 << 24):
                    pass
        else:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            cursor.execute(
                "SELECT sum(pg_prewarm(c.oid::regclass, 'read')) FROM pg_class c "
                "WHERE c.relkind IN ('r', 'i') AND c.relnamespace = 'public'::regnamespace"
            )
    seconds = time.perf_counter() - started
    note = f"synced and read into the OS cache before measuring ({seconds:.0f} s)"
    if lock:
        note += "; " + lock_in_memory(database_files(vendor, sqlite_path))
    print(f"[bench] {note}", file=sys.stderr, flush=True)
    return note


def database_files(vendor: str, sqlite_path: Path) -> list[Path]:
    if vendor == "sqlite":
        return [sqlite_path]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('data_directory'), oid FROM pg_database "
            "WHERE datname = current_database()"
        )
        data_dir, oid = cursor.fetchone()
    return sorted(p for p in Path(data_dir, "base", str(oid)).iterdir() if p.is_file())


_LOCKED: list[tuple[int, int]] = []  # (address, length): kept mapped until the process exits


def lock_in_memory(paths: list[Path]) -> str:
    """Pin the database files' pages in the OS cache (mmap + mlock) for the rest of the run.
    This VM hands unused page cache back to the host (about 10 MB/s here), so a database
    read in before measuring is mostly on disk again ten minutes later; a server with RAM
    to spare keeps it. Needs CAP_IPC_LOCK (root) or a large enough RLIMIT_MEMLOCK."""
    import ctypes
    import ctypes.util
    import mmap

    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]  # fmt: skip
    libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    total = 0
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            size = os.fstat(fd).st_size
            if not size:
                continue
            address = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
            if address in (None, ctypes.c_void_p(-1).value):
                return f"not locked in memory (mmap failed: errno {ctypes.get_errno()})"
            if libc.mlock(ctypes.c_void_p(address), ctypes.c_size_t(size)) != 0:
                return f"not locked in memory (mlock failed: errno {ctypes.get_errno()})"
            _LOCKED.append((address, size))
            total += size
        finally:
            os.close(fd)
    return f"{total / 2**30:.1f} GiB of database files locked in memory (mlock) while measuring"


def main_worker(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import generate
    from bench.measure import measure

    data_dir = Path(settings.DATA_DIR)
    if data_dir.parent != REPO / "var" or not data_dir.name.startswith("bench-"):
        raise SystemExit(f"bench: refusing to load into {data_dir}")
    vendor = connection.vendor
    if (args.worker == "postgres") != (vendor == "postgresql"):
        raise SystemExit(f"bench: --worker {args.worker} but the database is {vendor}")
    if vendor == "postgresql":
        create_postgres_database()
    info_path = data_dir / "bench-info.json"
    if args.measure_only and info_path.exists():
        load = json.loads(info_path.read_text())
        load["seconds"], load["rows_per_second"] = {}, {}
    else:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"[bench] migrate: {time.perf_counter() - started:.1f}s", file=sys.stderr)
        load = generate(
            customers=args.customers,
            registrations=args.registrations,
            followups=args.followups,
            deals=args.deals,
            payment_lines=args.payment_lines,
            data_dir=data_dir,
        )
    with connection.cursor() as cursor:
        for sql in args.extra_sql:
            print(f"[bench] extra SQL: {sql}", file=sys.stderr, flush=True)
            cursor.execute(sql)
        if vendor == "sqlite":
            import sqlite3

            version = f"SQLite {sqlite3.sqlite_version}"
            if args.extra_sql:
                cursor.execute("ANALYZE")
        else:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
            cursor.execute("SHOW shared_buffers")
            version += f" (shared_buffers {cursor.fetchone()[0]})"
            if args.extra_sql:
                cursor.execute("ANALYZE")
    if args.no_prewarm:
        load["cache"] = "as left by the load (no sync, no prewarm)"
    else:
        load["cache"] = settle(
            vendor, Path(settings.DATABASES["default"]["NAME"]), lock=not args.no_lock
        )
    results = measure(
        load["info"],
        reps=args.reps,
        warmup=args.warmup,
        max_seconds=args.max_seconds,
        what_ifs=args.what_if,
        only=set(args.only.split(",")),
    )
    payload = {
        "db": args.worker,
        "version": version,
        "load": load,
        "extra_sql": args.extra_sql,
        "results": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.worker}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    return 0


def main(argv: list[str]) -> int:
    args = parse(argv)
    if args.worker:
        return main_worker(args)
    return main_parent(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
