"""Detecting suspicious follow-ups (可疑记录) and storing each flag once.

The checks are pure (suspicion.rules); this module feeds them the follow-ups
entered since the last scan of each project, with the context the window rules need (the
same consultants' earlier records), and writes one SuspicionFlag per record and reason.
The tick calls `flags_detect_due` every minute; `anchang flags_backfill` runs the same
scan to the end for existing data. Running either twice changes nothing: a flag is unique
per (follow-up, kind), and a re-detection only refreshes its numbers.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from anchang.followups.models import FollowUp, SuspicionFlag, SuspicionScan
from anchang.followups.suspicion import rules as suspicion
from anchang.org.models import Project
from anchang.org.selectors import project_rules

# Follow-ups checked per project per run: a tick stays short however far behind it is
# (a first run on years of records catches up over several ticks, or with the backfill).
SCAN_BATCH = 2_000
# Records entered this recently wait for the next run: a transaction that started earlier
# may still commit a record with an older entered_at, which a scan past it would miss.
SETTLE = timedelta(minutes=1)
# How far back a new record is compared with the same consultant's earlier ones (copy-paste)
# and looked at for bursts: what the report used to check at most on every request.
CONTEXT = timedelta(days=30)
# entered_at - occurred_at is at most a month (services.OLDEST) plus clock skew: bounding
# occurred_at too lets the database use the (author, -occurred_at) index.
ENTRY_LAG = timedelta(days=32)

_FIELDS = (
    "id", "customer_id", "author_id", "kind", "reached", "content", "occurred_at", "entered_at",
)  # fmt: skip


def _record(row: tuple) -> suspicion.Record:
    return suspicion.Record(*row)


def _details(flag: suspicion.Flag, members: dict[int, suspicion.Record]) -> dict[int, dict]:
    """Per record of the flag, the numbers its reason is worded from."""
    if flag.kind == suspicion.NEAR_DUPLICATE:
        best: dict[int, suspicion.Match] = {}
        for match in flag.matches:  # strongest first: the first one seen is each record's best
            best.setdefault(match.record_id, match)
            best.setdefault(match.other_id, match)
        customers = len({members[pk].customer_id for pk in flag.record_ids if pk in members})
        out = {}
        for pk in flag.record_ids:
            match = best.get(pk)
            other = None if match is None else (match.other_id if match.record_id == pk else
                                                match.record_id)  # fmt: skip
            out[pk] = {
                "other": other,
                "percent": None if match is None else match.percent,
                "records": len(flag.record_ids),
                "customers": customers,
            }
        return out
    if flag.kind == suspicion.BURST:
        rows = sorted((members[pk] for pk in flag.record_ids), key=lambda r: (r.entered_at, r.id))
        span = (rows[-1].entered_at - rows[0].entered_at).total_seconds()
        info = {
            "count": len(rows),
            "minutes": max(1, -(-int(span) // 60)),
            "first": rows[0].id,
            "last": rows[-1].id,
        }
        return {pk: info for pk in flag.record_ids}
    return {pk: {} for pk in flag.record_ids}


def _flag_rows(
    records: list[suspicion.Record], new_ids: set[int], project: Project, now: datetime
) -> list[SuspicionFlag]:
    rules = project_rules(project).suspicion
    by_id = {r.id: r for r in records}
    wanted: dict[tuple[int, str], dict] = {}
    for flag in suspicion.find_flags(records, rules):
        # A group already stored by an earlier run is stored again only when a new record
        # joined it (the earlier members then get their refreshed numbers); filler is
        # judged on the new records alone.
        if not new_ids.intersection(flag.record_ids):
            continue
        for pk, details in _details(flag, by_id).items():
            wanted[(pk, flag.kind)] = details
    return [
        SuspicionFlag(
            followup_id=pk,
            kind=kind,
            project_id=project.pk,
            customer_id=by_id[pk].customer_id,
            author_id=by_id[pk].author_id,
            entered_at=by_id[pk].entered_at,
            detected_at=now,
            details=details,
        )  # fmt: skip
        for (pk, kind), details in sorted(wanted.items())
    ]


def _backdated(project: Project, ids: list[int]) -> list[tuple[int, int]]:
    """(id, whole days between contact and entry) of the back-dated records among `ids`,
    as the write recorded them (is_backdated follows the project's rule at that moment)."""
    rows = FollowUp.objects.filter(pk__in=ids, is_backdated=True).values_list(
        "id", "occurred_at", "entered_at"
    )
    return [(pk, (entered - occurred).days) for pk, occurred, entered in rows]


def _store(rows: list[SuspicionFlag]) -> int:
    if not rows:
        return 0
    # Unique per (follow-up, kind): detected again, a flag keeps its first detected_at and
    # takes the new numbers (a burst that grew, a closer copy).
    SuspicionFlag.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["followup", "kind"],
        update_fields=["details"],
    )
    return len(rows)


def flags_scan_project(
    *, project: Project, now: datetime | None = None, batch: int = SCAN_BATCH
) -> tuple[int, bool]:
    """Check the next `batch` follow-ups of the project entered since its last scan; store
    their flags and move the scan on. Returns (flags written, whether more are waiting)."""
    now = now or timezone.now()
    until = now - SETTLE
    scan = SuspicionScan.objects.filter(project=project).first()
    new_q = FollowUp.objects.filter(project=project, entered_at__lte=until)
    if scan is not None:
        new_q = new_q.filter(
            Q(entered_at__gt=scan.scanned_until)
            | Q(entered_at=scan.scanned_until, id__gt=scan.scanned_id)
        )
    new = [_record(row) for row in new_q.order_by("entered_at", "id").values_list(*_FIELDS)[
        : batch + 1]]  # fmt: skip
    more = len(new) > batch
    new = new[:batch]
    if not new:
        return 0, False
    first, last = new[0].entered_at, new[-1].entered_at
    new_ids = {r.id for r in new}
    context = [
        _record(row)
        for row in FollowUp.objects.filter(
            project=project,
            author_id__in={r.author_id for r in new},
            entered_at__gte=first - CONTEXT,
            entered_at__lte=last,
            occurred_at__gte=first - CONTEXT - ENTRY_LAG,
        )
        .exclude(pk__in=new_ids)
        .values_list(*_FIELDS)
    ]
    rows = _flag_rows(context + new, new_ids, project, now)
    by_id = {r.id: r for r in new}
    for pk, days in _backdated(project, sorted(new_ids)):
        record = by_id[pk]
        rows.append(
            SuspicionFlag(
                followup_id=pk,
                kind=SuspicionFlag.Kind.BACKDATED,
                project_id=project.pk,
                customer_id=record.customer_id,
                author_id=record.author_id,
                entered_at=record.entered_at,
                detected_at=now,
                details={"days": days},
            )  # fmt: skip
        )
    with transaction.atomic():
        written = _store(rows)
        SuspicionScan.objects.update_or_create(
            project=project, defaults={"scanned_until": last, "scanned_id": new[-1].id}
        )
    return written, more


def flags_detect_due(now: datetime | None = None) -> int:
    """The tick's rule: one batch per active project. Returns the flags written."""
    now = now or timezone.now()
    total = 0
    for project in Project.objects.filter(is_active=True).order_by("id"):
        written, _more = flags_scan_project(project=project, now=now)
        total += written
    return total


def flags_backfill(
    *, projects: list[Project] | None = None, now: datetime | None = None, batch: int = SCAN_BATCH
) -> dict[int, int]:
    """Scan every follow-up not yet scanned, to the end (the first run on existing data).
    Safe to stop and run again: it resumes where the scan stopped."""
    now = now or timezone.now()
    written: dict[int, int] = defaultdict(int)
    for project in projects or list(Project.objects.order_by("id")):
        while True:
            n, more = flags_scan_project(project=project, now=now, batch=batch)
            written[project.pk] += n
            if not more:
                break
    return dict(written)
