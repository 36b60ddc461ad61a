"""Milestone tasks (DOMAIN §6): created from the trade's plan when their anchor is set (a
stage entered, the due signing date), dated from it; closed by a follow-up of a kind the plan
allows; created ahead by `tasks_ahead_days`, the later ones by the tick. One per deal and
plan item (a database constraint), so every creation is idempotent."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from anchang.dates import local_date, start_of
from anchang.deals import rules
from anchang.deals.models import Deal, MilestoneTask, StageChange
from anchang.org.models import Project
from anchang.org.selectors import project_rules


def _plan(trade: str) -> tuple[rules.PlanItem, ...]:
    return rules.MILESTONE_PLANS.get(trade, ())


def tasks_create_for(deal: Deal, *, anchor: str, anchor_day: date, now: datetime) -> int:
    """The plan's tasks of one anchor that fall due within the horizon; the others wait for
    the tick. Returns how many were created."""
    conf = project_rules(deal.project)
    horizon = local_date(conf.tz, now) + timedelta(days=conf.deals.tasks_ahead_days)
    offsets = conf.deals.milestone_offsets
    rows = []
    for item in _plan(deal.project.kind):
        if item.anchor != anchor:
            continue
        due = rules.milestone_due(item, anchor_day, offsets)
        if due <= horizon:
            rows.append(_task(deal, item, due, now))
    return _insert(rows)


def _task(deal: Deal, item: rules.PlanItem, due: date, now: datetime) -> MilestoneTask:
    # whoever looks after the customer now: the deal's consultant, or who took the customer
    # over from them (a handover)
    return MilestoneTask(
        deal_id=deal.pk, customer_id=deal.customer_id, project_id=deal.project_id,
        assignee_id=deal.customer.owner_id or deal.consultant_id, key=item.key, due_on=due,
        closes_with=",".join(item.closes_with), created_at=now,
    )  # fmt: skip


def _insert(rows: list[MilestoneTask]) -> int:
    if not rows:
        return 0
    before = MilestoneTask.objects.filter(
        deal_id__in={r.deal_id for r in rows}, key__in={r.key for r in rows}
    ).count()
    MilestoneTask.objects.bulk_create(rows, ignore_conflicts=True)
    after = MilestoneTask.objects.filter(
        deal_id__in={r.deal_id for r in rows}, key__in={r.key for r in rows}
    ).count()
    return after - before


def tasks_drop(deal: Deal) -> int:
    """A cancelled deal's open tasks leave My day (kept, marked dropped)."""
    return MilestoneTask.objects.filter(deal=deal, done_at__isnull=True, dropped=False).update(
        dropped=True
    )


def tasks_redate_due(deal: Deal, *, now: datetime) -> None:
    """A delayed signing moves the open tasks dated from the due date (or creates them)."""
    plan = {i.key: i for i in _plan(deal.project.kind) if i.anchor == "due"}
    offsets = project_rules(deal.project).deals.milestone_offsets
    for key, item in plan.items():
        due = rules.milestone_due(item, deal.due_on, offsets)
        MilestoneTask.objects.filter(deal=deal, key=key, done_at__isnull=True).update(due_on=due)
    tasks_create_for(deal, anchor="due", anchor_day=deal.due_on, now=now)


@transaction.atomic
def tasks_close_by_followup(
    *, customer_id: int, kind: str, reached: bool, followup_id: int, day: date, at: datetime
) -> int:
    """A reached follow-up of a kind a task allows closes the customer's tasks due by `day`
    (an SMS alone closes none of the tasks that want a call)."""
    open_due = MilestoneTask.objects.filter(
        customer_id=customer_id, done_at__isnull=True, dropped=False, due_on__lte=day
    )
    ids = [
        task.pk
        for task in open_due.only("pk", "closes_with")
        if rules.closes_task(task.kinds, kind, reached=reached)
    ]
    if not ids:
        return 0
    return MilestoneTask.objects.filter(pk__in=ids, done_at__isnull=True).update(
        done_at=at, followup_id=followup_id
    )


# How far back from the horizon the tick looks for tasks it has not yet created: a tick that did
# not run for this long leaves those tasks to be created by hand.
LOOKBACK = timedelta(days=60)


def tasks_create_due(now: datetime | None = None) -> int:
    """The tick: every plan item whose date comes within the horizon gets its task, for
    every project; idempotent (one task per deal and item)."""
    now = now or timezone.now()
    created = 0
    for project in Project.objects.filter(is_active=True).only("pk", "kind", "rules_overrides"):
        created += _project_tasks_due(project, now)
    return created


def _project_tasks_due(project: Project, now: datetime) -> int:
    conf = project_rules(project)
    tz = conf.tz
    horizon = local_date(tz, now) + timedelta(days=conf.deals.tasks_ahead_days)
    offsets = conf.deals.milestone_offsets
    created = 0
    for item in _plan(project.kind):
        # the anchor days whose task falls due by the horizon, back to the lookback
        latest = _anchor_for(item, horizon, offsets)
        earliest = _anchor_for(item, horizon - LOOKBACK, offsets)
        if item.anchor == "due":
            deals = Deal.objects.filter(
                project=project, is_active=True, due_on__gte=earliest, due_on__lte=latest
            ).exclude(tasks__key=item.key)
            rows = [
                _task(d, item, rules.milestone_due(item, d.due_on, offsets), now)
                for d in deals.select_related("project", "customer")
                if not rules.stage_table(project.kind).reached(
                    d.stage, rules.stage_table(project.kind).signed
                )
            ]
        else:
            entered = (
                StageChange.objects.filter(
                    project=project,
                    kind=StageChange.Kind.ENTERED,
                    stage=item.anchor,
                    at__gte=start_of(earliest, tz),
                    at__lt=start_of(latest + timedelta(days=1), tz),
                    deal__is_active=True,
                )  # fmt: skip
                .exclude(deal__tasks__key=item.key)
                .select_related("deal", "deal__project", "deal__customer")
            )
            rows = [
                _task(e.deal, item, rules.milestone_due(item, local_date(tz, e.at), offsets), now)
                for e in entered
            ]
        created += _insert(rows)
    return created


def _anchor_for(item: rules.PlanItem, due: date, offsets: dict[str, int]) -> date:
    """The latest anchor day whose task is due by `due` (the inverse of milestone_due)."""
    offset = offsets.get(item.key, item.offset)
    if not item.months:
        return due - timedelta(days=offset)
    anchor = rules.add_months(due, -offset)
    # month ends: 31 Mar - 1 month is 28 Feb, whose task is due 28 Mar; step to the last day
    # whose due date is still by `due`
    while rules.add_months(anchor + timedelta(days=1), offset) <= due:
        anchor += timedelta(days=1)
    return anchor
