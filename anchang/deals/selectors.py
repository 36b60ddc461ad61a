"""Every read of deals, units and their parts, starting from where the actor's grants reach
(policies.deals_q); 404 for a deal outside it, so an id reveals nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from anchang.customers.policies import can_edit_customer
from anchang.dates import local_date
from anchang.deals import policies, rules
from anchang.deals.models import (
    Approval,
    Building,
    ContractForm,
    ContractFormRequest,
    Deal,
    DesignerProfile,
    Dispatch,
    MilestoneTask,
    StageChange,
    Unit,
)
from anchang.followups.models import FollowUp
from anchang.ids import parse_id
from anchang.org.models import Project, User
from anchang.org.selectors import project_rules

S = Unit.Status


def deals_for(actor: User, action: str = "view") -> QuerySet[Deal]:
    q = policies.deals_q(actor, action)
    if q is None:
        return Deal.objects.none()
    return Deal.objects.filter(q)


def deal_get(*, actor: User, pk, action: str = "view") -> Deal:
    number = parse_id(pk)
    if number is None:
        raise Http404
    return get_object_or_404(
        deals_for(actor, "view").select_related(
            "project",
            "customer",
            "unit",
            "unit__building",
            "consultant",
            "stand_in",
            "designer",
            "channel_report__company",
        ),
        pk=number,
    )


def board_projects(actor: User) -> list[Project]:
    ids = policies.board_project_ids(actor)
    return list(Project.objects.filter(pk__in=ids, is_active=True).order_by("name"))


def board_project(actor: User, pk) -> Project:
    number = parse_id(pk)
    ids = policies.board_project_ids(actor)
    if number is None or number not in ids:
        raise Http404
    return get_object_or_404(Project, pk=number, is_active=True)


def buildings(project: Project) -> list[Building]:
    return list(Building.objects.filter(project=project).order_by("sort_order", "id"))


effective_status = rules.effective_status


@dataclass
class BoardCell:
    pk: int
    code: str
    floor: int | None
    position: int | None
    status: str
    mine: bool  # held by the reader
    layout: str
    area: Any
    price: int
    held_until: datetime | None
    label: str = ""


@dataclass
class Board:
    """销控表: a building's floors (top first) × units, and the count per status."""

    floors: list[tuple[int, list[BoardCell | None]]] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    cells: list[BoardCell] = field(default_factory=list)  # no building: stock or packages
    counts: dict[str, int] = field(default_factory=dict)


BOARD_COLUMNS = (
    "pk", "code", "floor", "position", "status", "held_until", "held_by_id", "layout",
    "gross_area", "standard_price", "model_name", "trim", "colour", "name",
)  # fmt: skip


def board(*, actor: User, project: Project, building: Building | None, now: datetime | None = None,
          status: str = "", limit: int = 600) -> Board:  # fmt: skip
    """One query for the building's units (or the project's stock without a building)."""
    now = now or timezone.now()
    units = Unit.objects.filter(project=project)
    units = units.filter(building=building) if building else units.filter(building__isnull=True)
    out = Board(counts={s: 0 for s in S.values})
    rows = []
    for row in units.order_by("floor", "position", "code").values(*BOARD_COLUMNS)[:limit]:
        state = effective_status(row["status"], row["held_until"], now)
        cell = BoardCell(
            pk=row["pk"], code=row["code"], floor=row["floor"], position=row["position"],
            status=state, mine=state == S.HELD and row["held_by_id"] == actor.pk,
            layout=row["layout"], area=row["gross_area"], price=row["standard_price"],
            held_until=row["held_until"] if state == S.HELD else None,
            label=" ".join(
                filter(None, (row["model_name"], row["trim"], row["colour"], row["name"]))
            ),
        )  # fmt: skip
        out.counts[state] += 1
        rows.append(cell)
    if building is None:
        out.cells = [c for c in rows if not status or c.status == status]
        return out
    positions = sorted({c.position for c in rows if c.position})
    grid: dict[int, dict[int, BoardCell]] = {}
    for c in rows:
        grid.setdefault(c.floor, {})[c.position] = c
    out.positions = positions
    out.floors = [
        (floor, [grid[floor].get(p) for p in positions]) for floor in sorted(grid, reverse=True)
    ]
    return out


def unit_get(*, actor: User, pk) -> Unit:
    """A unit of a project whose board the actor opens; 404 otherwise."""
    number = parse_id(pk)
    ids = policies.board_project_ids(actor)
    if number is None or not ids:
        raise Http404
    return get_object_or_404(
        Unit.objects.select_related("project", "building", "held_by"), pk=number,
        project_id__in=sorted(ids),
    )  # fmt: skip


def unit_active_deal(unit: Unit) -> Deal | None:
    return Deal.objects.filter(unit=unit, is_active=True).first()


def timeline(deal: Deal) -> list[StageChange]:
    """The deal's stage changes, oldest first, each with its stage's label and, for a side
    move or a cancellation, what it was (`what_label`)."""
    entries = list(deal.timeline.select_related("actor").order_by("at", "id"))
    for entry in entries:
        entry.label = rules.STAGE_LABELS.get(entry.stage, entry.stage)
        entry.what_label = (
            rules.SIDE_MOVE_LABELS.get(entry.what) or rules.CANCEL_LABELS.get(entry.what) or ""
        )
    return entries


def deal_tasks(deal: Deal) -> list[MilestoneTask]:
    """The deal's milestone tasks by due date, each with its label and the hint shown
    beside it."""
    tasks = list(deal.tasks.order_by("due_on", "id"))
    for task in tasks:
        task.label = rules.MILESTONE_LABELS.get(task.key, task.key)
        task.hint = rules.TASK_HINTS.get(task.key, "")
    return tasks


def deal_plan(deal: Deal):
    return list(deal.plan.order_by("due_on", "id"))


def deal_receipts(deal: Deal):
    return list(deal.receipts.select_related("recorded_by").order_by("at", "id"))


def deal_approvals(deal: Deal, reader: User | None = None) -> list[Approval]:
    """The deal's approvals, newest first; for a reader, `may_decide` on each: pending, theirs
    to approve, and not their own request."""
    approvals = list(
        deal.approvals.select_related("requested_by", "decided_by").order_by("-requested_at")
    )
    may_approve = reader is not None and policies.can_deal(reader, "approve", deal)
    for approval in approvals:
        approval.may_decide = (
            may_approve and approval.status == "pending" and approval.requested_by_id != reader.pk
        )
    return approvals


def pending_approvals(actor: User, limit: int = 100, pk: int | None = None) -> list[Approval]:
    """What the actor may decide, oldest first: on deals they may approve, and the units of
    projects where they approve (`pk`: that one only, if it is among them)."""
    deal_q = policies.deals_q(actor, "approve")
    scope = policies.deal_scope(actor, "approve")
    if deal_q is None or scope is None:
        return []
    on_deals = Q(deal__in=Deal.objects.filter(deal_q))
    on_units = Q(deal__isnull=True, project_id__in=sorted(scope.whole | scope.own))
    pending = Approval.objects.filter(on_deals | on_units, status=Approval.Status.PENDING)
    if pk is not None:
        pending = pending.filter(pk=pk)
    return list(
        pending.select_related(
            "deal", "unit", "requested_by", "deal__customer", "deal__unit"
        ).order_by("requested_at", "id")[:limit]
    )


MY_DAY_TASKS = 30


def my_day_tasks(actor: User, today: date) -> dict[str, Any]:
    """Milestone tasks due today and overdue (the most overdue first), and how many are late."""
    open_tasks = MilestoneTask.objects.filter(
        assignee=actor, done_at__isnull=True, dropped=False, due_on__lte=today
    )
    rows = list(
        open_tasks.select_related("customer", "deal").order_by("due_on", "id")[: MY_DAY_TASKS + 1]
    )
    for task in rows:
        task.label = rules.MILESTONE_LABELS.get(task.key, task.key)
        task.late_days = (today - task.due_on).days
        task.closes_text = rules.closes_with_text(task.kinds)
        task.hint = rules.TASK_HINTS.get(task.key, "")
    return {
        "milestone_tasks": rows[:MY_DAY_TASKS],
        "milestone_more": len(rows) > MY_DAY_TASKS,
        "milestone_overdue": sum(1 for t in rows if t.due_on < today),
        "payments_due": payments_due(actor, today),
    }


PAYMENTS_DUE = 10
REMINDER_DAYS_MAX = 90  # the largest deals.payment_reminder_days a project may set


def payments_due(actor: User, today: date) -> list[Deal]:
    """回款 reminders: the consultant's deals with a payment falling due within their
    project's `deals.payment_reminder_days` (or overdue), the soonest first: call the
    customer. One read: the deals due within the longest window a project may set, with
    their project, then each project's own window."""
    rows = (
        Deal.objects.filter(
            consultant=actor, is_active=True,
            collect_due_on__lte=today + timedelta(days=REMINDER_DAYS_MAX),
        )  # fmt: skip
        .select_related("customer", "project")
        .only("pk", "customer__name", "customer_id", "collect_due_on", "planned_total",
              "received_total", "buyer_name", "project__kind", "project__rules_overrides")
        .order_by("collect_due_on", "id")[:PAYMENTS_DUE * 5]
    )  # fmt: skip
    due = []
    for deal in rows:
        ahead = project_rules(deal.project).deals.payment_reminder_days
        if deal.collect_due_on <= today + timedelta(days=ahead):
            deal.days_left = (deal.collect_due_on - today).days
            due.append(deal)
    return due[:PAYMENTS_DUE]


def overdue_collections(actor: User, *, today: date, limit: int = 50) -> list[Deal]:
    """Deals with a plan line due before today and not covered, the longest overdue first."""
    return list(
        deals_for(actor, "view")
        .filter(is_active=True, collect_due_on__lt=today)
        .select_related("customer", "unit", "consultant")
        .order_by("collect_due_on", "id")[:limit]
    )


def stale_valuable(actor: User, *, now: datetime | None = None, limit: int = 100) -> list[Deal]:
    """Paid (deposit, design fee, quote) and not signed after the project's days, in the
    projects where the actor approves: the manager revisits them. With the customer's last
    contact and the bottleneck of their latest follow-up (跟进的瓶颈)."""
    now = now or timezone.now()
    scope = policies.deal_scope(actor, "approve")
    if scope is None:
        return []
    clauses = Q(pk__in=[])
    for project in Project.objects.filter(pk__in=sorted(scope.whole | scope.own)):
        conf = project_rules(project)
        table = rules.stage_table(project.kind)
        before_signing = table.stages[: table.index(table.signed)]
        cutoff = now - timedelta(days=conf.deals.stale_valuable_days)
        clauses |= Q(project=project, stage__in=before_signing, created_at__lte=cutoff)
    latest = FollowUp.objects.filter(customer=OuterRef("customer")).order_by("-occurred_at", "-id")
    rows = list(
        deals_for(actor, "approve")
        .filter(clauses, is_active=True, received_total__gt=0)  # they paid something
        .annotate(bottleneck=Subquery(latest.values("bottleneck")[:1]))
        .select_related("customer", "unit", "package", "consultant")
        .order_by("created_at", "id")[:limit]
    )
    for deal in rows:
        deal.stage_label = rules.STAGE_LABELS.get(deal.stage, deal.stage)
        deal.days = (now - deal.created_at).days
    return rows


def deal_rows_shown(rows: list[Deal], today: date) -> list[Deal]:
    """A page of the deal list, each with its stage's words and whether a payment is late."""
    for deal in rows:
        deal.stage_label = rules.STAGE_LABELS.get(deal.stage, deal.stage)
        deal.overdue = bool(deal.is_active and deal.collect_due_on and deal.collect_due_on < today)
    return rows


def counts_by_stage(actor: User, project: Project) -> dict[str, int]:
    rows = (
        deals_for(actor, "view")
        .filter(project=project, is_active=True)
        .values("stage")
        .annotate(n=Count("id"))
    )
    return {r["stage"]: r["n"] for r in rows}


def approval_get_decidable(actor: User, pk) -> Approval:
    """A pending approval the actor may decide; 404 otherwise (an id reveals nothing)."""
    number = parse_id(pk)
    found = pending_approvals(actor, limit=1, pk=number) if number is not None else []
    if not found:
        raise Http404
    return found[0]


def dispatch_queue(actor: User, limit: int = 100) -> list[Dispatch]:
    """Orders waiting for a designer (派单), oldest first, in the deals the actor approves."""
    deal_q = policies.deals_q(actor, "approve")
    if deal_q is None:
        return []
    return list(
        Dispatch.objects.filter(
            status=Dispatch.Status.PROPOSED, deal__in=Deal.objects.filter(deal_q)
        )
        .select_related("deal", "deal__customer", "deal__package", "proposed", "project")
        .order_by("at", "id")[:limit]
    )


def dispatch_get_open(actor: User, pk) -> Dispatch:
    number = parse_id(pk)
    deal_q = policies.deals_q(actor, "approve")
    if number is None or deal_q is None:
        raise Http404
    return get_object_or_404(
        Dispatch.objects.select_related("deal", "deal__project", "proposed").filter(
            status=Dispatch.Status.PROPOSED, deal__in=Deal.objects.filter(deal_q)
        ),
        pk=number,
    )


def designers(project: Project) -> list[DesignerProfile]:
    return list(
        DesignerProfile.objects.filter(project=project)
        .select_related("user")
        .order_by("priority", "user_id")
    )


def deal_dispatches(deal: Deal) -> list[Dispatch]:
    return list(deal.dispatches.select_related("proposed", "designer", "decided_by").order_by("at"))


@dataclass
class CardDeals:
    """The customer card's deals section: the deals the reader may view, and whether they may
    subscribe this customer (a link to the subscription form)."""

    deals: list[Deal]
    can_subscribe: bool
    from_board: bool = False  # a trade that sells units: the subscription starts on the board


def card_deals(customer, *, printed: bool, actor: User) -> CardDeals:
    deals = list(
        deals_for(actor, "view")
        .filter(customer=customer)
        .select_related("unit", "package", "consultant")
        .order_by("-created_at")[:20]
    )
    for deal in deals:
        deal.stage_label = rules.STAGE_LABELS.get(deal.stage, deal.stage)
    can_subscribe = (
        not printed
        and customer.state != "lost"
        and policies.may(actor, "sell", project_id=customer.project_id, consultant_id=actor.pk)
        and can_edit_customer(actor=actor, customer=customer)
    )
    return CardDeals(deals, can_subscribe, rules.stage_table(customer.project.kind).has_units)


def actor_today(actor: User) -> date:
    """Today in the time zone of the actor's first project (the board's projects), so
    "overdue" follows the office's day, not the server's."""
    projects = board_projects(actor)
    tz = project_rules(projects[0]).tz if projects else None
    return local_date(tz) if tz else timezone.localdate()


@dataclass
class FormLedger:
    """合同文本: who holds which forms, the stock, the forms out too long, the last requests."""

    held: list  # [(holder, [forms])]
    counts: dict[str, int]
    out_too_long: list[ContractForm]
    requests: list
    days_out: int


def contract_form_ledger(project: Project, *, now: datetime | None = None) -> FormLedger:
    conf = project_rules(project)
    today = local_date(conf.tz, now)
    counts = {
        r["status"]: r["n"]
        for r in ContractForm.objects.filter(project=project)
        .values("status")
        .annotate(n=Count("id"))
    }
    issued = list(
        ContractForm.objects.filter(project=project, status=ContractForm.Status.ISSUED)
        .select_related("holder")
        .order_by("holder_id", "number")
    )
    held: dict = {}
    late = []
    for form in issued:
        form.days_out = (today - local_date(conf.tz, form.moved_at)).days
        form.late = form.days_out > conf.deals.contract_form_days_out
        if form.late:
            late.append(form)
        held.setdefault(form.holder, []).append(form)
    requests = list(ContractFormRequest.objects.filter(project=project).select_related(
        "requested_by")[:6])  # fmt: skip
    return FormLedger(list(held.items()), counts, late, requests, conf.deals.contract_form_days_out)
