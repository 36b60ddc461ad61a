"""Import bench (导入): a visit register of N rows as offices write it (.xlsx, a title row,
mixed date styles, ~5 % phones twice, ~2 % refused), read and previewed, then committed,
timed separately, on the database of the environment (SQLite under ANCHANG_DATA_DIR, or
PostgreSQL through DATABASE_URL). Every row must be accounted for.

    ANCHANG_DATA_DIR=/tmp/bi .venv/bin/python -m bench.imports --rows 10000 --repeat 3
    .venv/bin/python scripts/throwaway_postgres.py -- env ANCHANG_DATA_DIR=/tmp/bip \\
        .venv/bin/python -m bench.imports --rows 100000 --repeat 1
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ["ANCHANG_BACKGROUND"] = "inline"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from openpyxl import Workbook  # noqa: E402

HEADER = [
    "序号",
    "来访日期",
    "客户姓名",
    "性别",
    "联系电话",
    "认知途径",
    "置业顾问",
    "意向户型",
    "备注",
]
STYLES = ("{y}年{m}月{d}日", "{y}/{m}/{d}", "{y}-{m:02d}-{d:02d} 14:30")


def register(rows: int, consultants: list[str], media: list[str], seed: int) -> bytes:
    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("来访登记")
    sheet.append(["阳光花园销售中心 来访客户登记表"])
    sheet.append(HEADER)
    phones = [f"139{seed % 10}{i:07d}" for i in range(rows)]
    for i in range(rows):
        phone = phones[rng.randrange(i)] if i and rng.random() < 0.05 else phones[i]
        if rng.random() < 0.02:
            phone = phone[:7]  # a refused row
        m, d = rng.randint(1, 11), rng.randint(1, 28)
        when = rng.choice(STYLES).format(y=2026, m=m, d=d)
        owner = rng.choice(consultants) if rng.random() < 0.7 else ""
        sheet.append([i + 1, when, f"客户{i}", rng.choice("男女"), phone, rng.choice(media),
                      owner, "三房", "来访登记"])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    wanted = "then export the last project's customers as .xlsx and .csv"
    parser.add_argument("--export", action="store_true", help=wanted)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from anchang.gunicorn_conf import settle_heap

    settle_heap()  # the garbage collector as the server's worker runs it (the commit's thread)
    from anchang.assignment.imports import services
    from anchang.assignment.models import ImportBatch
    from anchang.customers.models import Medium
    from anchang.customers.services.media import media_ensure_defaults
    from anchang.org.models import Company, Project, Region, Role
    from anchang.org.services import membership_grant, staff_create

    company, _c = Company.objects.get_or_create(name="Bench")
    region, _r = Region.objects.get_or_create(company=company, name="Bench", code="bench")
    clerk = staff_create(username=f"bclerk{time.time_ns()}", name="行政", password="x" * 12)
    reads, commits = [], []
    for run in range(args.repeat):
        stamp = time.time_ns()
        project = Project.objects.create(
            region=region, name=f"Bench{stamp}", kind="real_estate", code=f"b{stamp % 10**9}"
        )
        media_ensure_defaults(project=project)
        membership_grant(user=clerk, role=Role.CLERK, company=company, project=project)
        names = []
        for i in range(8):
            user = staff_create(username=f"bc{run}-{i}-{time.time_ns()}", name=f"顾问{run}{i}",
                                password="x" * 12)  # fmt: skip
            membership_grant(user=user, role=Role.CONSULTANT, company=company, project=project)
            names.append(user.name)
        media = list(Medium.objects.filter(project=project).values_list("name", flat=True))
        data = register(args.rows, names, media, seed=run)
        clerk.refresh_from_db()
        started = time.perf_counter()
        batch = services.import_upload(actor=clerk, project=project, kind="visits",
                                       file_name="bench.xlsx", data=data)  # fmt: skip
        read = time.perf_counter() - started
        ImportBatch.objects.filter(pk=batch.pk).update(status="committing")
        started = time.perf_counter()
        if os.environ.get("BENCH_PROFILE"):  # where the commit's time goes
            import cProfile

            cProfile.runctx("services.import_run(batch.pk)", globals(), locals(),
                            os.environ["BENCH_PROFILE"])  # fmt: skip
        else:
            services.import_run(batch.pk)
        commit = time.perf_counter() - started
        done = ImportBatch.objects.get(pk=batch.pk)
        assert done.status == "done" and sum(done.counts.values()) == args.rows, done.counts
        reads.append(read)
        commits.append(commit)
        print(f"run {run + 1}: {args.rows:,} rows read+preview {read:.2f} s, commit {commit:.2f} s,"
              f" total {read + commit:.2f} s; {done.counts}", flush=True)  # fmt: skip
    if args.export:
        _export(project, company)
    total = [r + c for r, c in zip(reads, commits, strict=True)]
    p50 = statistics.median
    print(
        f"p50 read+preview {p50(reads):.2f} s, commit {p50(commits):.2f} s, "
        f"total {p50(total):.2f} s"
    )


def _export(project, company) -> None:
    """The project's customers exported by its manager: the time, and how much the process
    grew (its peak resident size before and after: a streamed export keeps it flat)."""
    import resource

    from anchang.customers.services import customers_export, customers_export_xlsx
    from anchang.org.models import Role
    from anchang.org.services import membership_grant, staff_create

    manager = staff_create(username=f"bm{time.time_ns()}", name="经理", password="x" * 12)
    membership_grant(user=manager, role=Role.MANAGER, company=company, project=project)
    for name, export in (("xlsx", customers_export_xlsx), ("csv", customers_export)):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        _out, rows = export(actor=manager)
        took = time.perf_counter() - started
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        print(f"export {name}: {rows:,} rows in {took:.2f} s; peak RSS grew {grown / 1024:.0f} MB",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
