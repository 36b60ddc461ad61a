"""Reads of reception: the day's roster and whose turn is next, the ledger, the fairness
view, and a consultant's walk-ins of the day. Every read names the projects it may touch
(policies.reception_project_ids)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from anchang import permissions
from anchang.assignment import policies, rules
from anchang.assignment.models import DutyEntry, RotationDay, TurnEntry
from anchang.customers.phones import customer_phone_shown, format_phone, phone_shown
from anchang.dates import local_date
from anchang.ids import parse_id
from anchang.org.models import Project, User
from anchang.org.selectors import project_chosen, project_list_by_ids, project_rules, project_staff

FAIRNESS_DAYS = (7, 14, 31)  # the fairness view's spans
FAIRNESS_DAYS_MAX = max(FAIRNESS_DAYS)
RECENT = 20


def today_of(project: Project, now: datetime) -> date:
    return local_date(project_rules(project).tz, now)


def local_time_of(project: Project, now: datetime) -> time:
    return now.astimezone(project_rules(project).tz).time()


def receivers(project: Project) -> QuerySet[User]:
    """Who takes walk-ins in the project (`duties.receives_walk_ins`)."""
    return project_staff(project=project, roles=set(permissions.duty_roles("receives_walk_ins")))


def reception_projects(actor: User) -> list[Project]:
    return project_list_by_ids(policies.reception_project_ids(actor))


def reception_project(actor: User, raw) -> Project:
    """The project a request names, among those this page opens for the actor (404 else)."""
    return project_chosen(reception_projects(actor), raw)


@dataclass
class Desk:
    """The desk's screen: the roster, whose turn the next new visitor is, the latest entries."""

    project: Project
    day: date
    roster: list[DutyEntry]
    next_up: DutyEntry | None
    next_is_makeup: bool
    recent: list[TurnEntry]
    words: dict


def desk(project: Project, now: datetime | None = None, only_for: int | None = None) -> Desk:
    """The desk's screen; `only_for`: the latest entries of that consultant alone."""
    now = now or timezone.now()
    day = today_of(project, now)
    conf = project_rules(project).reception
    roster = list(
        DutyEntry.objects.filter(project=project, day=day)
        .select_related("consultant")
        .order_by("signed_in_at", "consultant_id")
    )
    row = RotationDay.objects.filter(project=project, day=day).first()
    plan = rules.next_turn(
        rules.candidates_of(roster), order=conf.order, makeup=conf.makeup,
        pointer=row.pointer_id if row else None, at=local_time_of(project, now),
    )  # fmt: skip
    by_id = {e.consultant_id: e for e in roster}
    entries = TurnEntry.objects.filter(project=project, day=day)
    if only_for is not None:
        entries = entries.filter(consultant_id=only_for)
    recent = list(
        entries.select_related("consultant", "owner", "customer").order_by("-seq")[:RECENT]
    )
    for entry in roster:
        entry.status_label = rules.STATUS_LABELS[entry.status]
    for entry in recent:
        entry.kind_label = rules.KIND_LABELS[entry.kind]
        entry.reason_label = rules.SKIP_REASONS.get(entry.reason, "")
    return Desk(
        project=project, day=day, roster=roster, next_up=by_id.get(plan.receiver),
        next_is_makeup=plan.makeup, recent=recent, words=rules.desk_words(project.kind),
    )  # fmt: skip


def walk_in_taken(actor: User, project: Project, raw, day: date) -> TurnEntry | None:
    """The walk-in the actor's desk just took (`?taken=` after the redirect), today's only."""
    pk = parse_id(raw) if raw else None
    if pk is None or not policies.can_run_desk(actor=actor, project=project):
        return None
    entry = (
        TurnEntry.objects.filter(pk=pk, project=project, actor=actor, day=day)
        .select_related("consultant", "owner", "customer")
        .first()
    )
    if entry is not None:
        entry.kind_label = rules.KIND_LABELS[entry.kind]
    return entry


def duty_entry_get(*, actor: User, pk) -> DutyEntry:
    """A roster entry of a project whose reception the actor reads; else 404."""
    entry = (
        DutyEntry.objects.filter(
            pk=parse_id(pk), project_id__in=sorted(policies.reception_project_ids(actor))
        )
        .select_related("project", "consultant")
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def my_duty(actor: User, project: Project, now: datetime | None = None) -> DutyEntry | None:
    day = today_of(project, now or timezone.now())
    return DutyEntry.objects.filter(project=project, day=day, consultant=actor).first()


@dataclass
class FairnessRow:
    consultant: User
    days: dict[date, dict[str, int]]
    totals: dict[str, int]


def fairness(
    project: Project, *, until: date, days: int = 7
) -> tuple[list[date], list[FairnessRow]]:
    """Turns, make-ups, skips, stand-ins and owners' visits per consultant per day, for the
    `days` days up to `until` (at most FAIRNESS_DAYS_MAX): one aggregate query."""
    days = max(1, min(days, FAIRNESS_DAYS_MAX))
    since = until - timedelta(days=days - 1)
    counted = (
        TurnEntry.objects.filter(project=project, day__gte=since, day__lte=until)
        .values("consultant_id", "day", "kind")
        .annotate(n=Count("id"))
    )
    dates = [since + timedelta(days=i) for i in range(days)]
    rows: dict[int, dict] = {}
    for c in counted:
        row = rows.setdefault(c["consultant_id"], {"days": {}, "totals": {}})
        row["days"].setdefault(c["day"], {})[c["kind"]] = c["n"]
        row["totals"][c["kind"]] = row["totals"].get(c["kind"], 0) + c["n"]
    people = {u.pk: u for u in User.objects.filter(pk__in=rows)}
    out = [
        FairnessRow(consultant=people[pk], days=row["days"], totals=row["totals"])
        for pk, row in rows.items()
    ]
    out.sort(key=lambda r: (-(r.totals.get("turn", 0) + r.totals.get("makeup", 0)),
                            r.consultant.name))  # fmt: skip
    return dates, out


def ledger(project: Project, day: date) -> list[TurnEntry]:
    """The day's reception ledger in order."""
    entries = list(
        TurnEntry.objects.filter(project=project, day=day)
        .select_related("consultant", "owner", "customer", "actor")
        .order_by("seq")
    )
    for entry in entries:
        entry.kind_label = rules.KIND_LABELS[entry.kind]
        entry.reason_label = rules.SKIP_REASONS.get(entry.reason, "")
    return entries


MY_DAY_WALK_INS = 20


def my_day_walk_ins(actor: User, today: date) -> dict[str, Any]:
    """My day's section: the visitors the desk sent the consultant today, newest first, to
    register each (a new visitor) or open their card (a returning customer)."""
    rows = list(
        TurnEntry.objects.filter(consultant=actor, day=today)
        .exclude(kind=rules.SKIP)
        .select_related("customer", "project")
        .order_by("-at", "-id")[:MY_DAY_WALK_INS]
    )
    for entry in rows:
        entry.kind_label = rules.KIND_LABELS[entry.kind]
    return {"walk_ins": rows}


def entry_phone_shown(actor: User, entry: TurnEntry) -> str:
    """The phone the desk was given, as the reader may see it: a known customer's as their
    card shows it; a new visitor's in full to the consultant who received them (they will
    register and own them), masked to everyone else, the desk included."""
    if not entry.phone:
        return ""
    if entry.customer_id:
        return customer_phone_shown(actor=actor, customer=entry.customer, e164=entry.phone)
    return phone_shown(entry.phone, full=actor.pk == entry.consultant_id)


def entry_phone_display(actor: User, entry: TurnEntry) -> str:
    """entry_phone_shown as a page prints it: a full number written as people write it."""
    shown = entry_phone_shown(actor, entry)
    return format_phone(shown) if shown.startswith("+") else shown


def stand_in_for(customer_id: int, owner_id: int, now: datetime | None = None) -> int | None:
    """Who last stood in for `owner_id` with this customer (义务接待) within the project's
    `reception.stand_in_days`: the stand-in a deal proposes (deals' subscription)."""
    now = now or timezone.now()
    entry = (
        TurnEntry.objects.filter(customer_id=customer_id, kind=rules.STAND_IN, owner_id=owner_id)
        .select_related("project")
        .order_by("-at")
        .first()
    )
    if entry is None:
        return None
    days = project_rules(entry.project).reception.stand_in_days
    return entry.consultant_id if entry.at >= now - timedelta(days=days) else None
