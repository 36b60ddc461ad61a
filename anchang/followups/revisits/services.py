"""回访计划: plan a round of revisits to a filtered set of customers, complete each task by
a follow-up inside the plan's window, report, have it reviewed (docs/domain.md#revisit-plans)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import DateTimeField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.dates import local_date
from anchang.errors import Conflict, ValidationFailed
from anchang.followups.errors import Code
from anchang.followups.models import FollowUp, RevisitPlan, RevisitTask
from anchang.followups.revisits import policies, selectors
from anchang.org.models import Project, User
from anchang.org.rules import ProjectRules
from anchang.org.selectors import project_rules
from anchang.prepared import prepared
from anchang.validators import WindowProblem, fold_spaces, window_problems

TARGETS_MAX = 2000
WINDOW_MAX_DAYS = 90
START_AHEAD_MAX_DAYS = 90
TITLE_MAX = 100
PURPOSE_MAX = 200
TALKING_POINTS_MAX = 2000
REPORT_MIN = 10
REPORT_MAX = 4000
COMMENT_MAX = 500
RESULT_MAX = 200
RESULT_EXCERPT = 80
# Allows for the widest UTC offset (+14:00) when picking candidates before the exact check.
_ZONE_SLACK = timedelta(hours=14)


def _local_today(project: Project, now: datetime | None = None) -> date:
    return local_date(project_rules(project).tz, now)


def _text(errors: dict, name: str, value: object, *, limit: int, required: bool,
          lines: bool = False) -> str:  # fmt: skip
    """Trimmed text (whitespace folded unless `lines`); problems go into `errors`."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = _("Not a valid value.")
        return ""
    value = value.strip() if lines else " ".join(value.split())
    if "\x00" in value:
        errors[name] = _("Not a valid value.")
    elif required and not value:
        errors[name] = _("This field is required.")
    elif len(value) > limit:
        errors[name] = _("At most %(n)d characters (now %(len)d).") % {
            "n": limit,
            "len": len(value),
        }
    return value


def _window_errors(starts_on: object, due_on: object, today: date) -> dict[str, str]:
    problems = window_problems(starts_on, due_on, today=today, max_days=WINDOW_MAX_DAYS,
                               start_ahead=START_AHEAD_MAX_DAYS)  # fmt: skip
    words = {
        ("first", WindowProblem.NOT_A_DATE): _("Enter a date."),
        ("last", WindowProblem.NOT_A_DATE): _("Enter a date."),
        ("last", WindowProblem.PAST): _("The due date is in the past."),
        ("last", WindowProblem.REVERSED): _("The due date is before the start."),
        ("last", WindowProblem.TOO_LONG): _("A plan runs at most %(n)d days.")
        % {"n": WINDOW_MAX_DAYS},
        ("first", WindowProblem.PAST): _("The plan cannot start in the past."),
        ("first", WindowProblem.TOO_FAR_AHEAD): _("Start within %(n)d days.")
        % {"n": START_AHEAD_MAX_DAYS},
    }
    fields = {"first": "starts_on", "last": "due_on"}
    return {fields[end]: words[(end, problem)] for end, problem in problems.items()}


@transaction.atomic
def plan_create(
    *,
    actor: User,
    project: Project,
    title: str,
    purpose: str,
    talking_points: str = "",
    starts_on: date,
    due_on: date,
    criteria: dict,
) -> RevisitPlan:
    """A plan over the customers the customer list's filter matches in the project, among
    those the actor may list; each gets a task for the customer's owner at this moment."""
    if not policies.can_create_plan(actor=actor, project=project):
        raise ValidationFailed(fields={"project": _("Choose one of your projects.")})
    errors: dict[str, str] = {}
    title = _text(errors, "title", title, limit=TITLE_MAX, required=True)
    purpose = _text(errors, "purpose", purpose, limit=PURPOSE_MAX, required=True)
    talking_points = _text(errors, "talking_points", talking_points, limit=TALKING_POINTS_MAX,
                           required=False, lines=True)  # fmt: skip
    window = _window_errors(starts_on, due_on, _local_today(project))
    errors.update(window)
    criteria = selectors.criteria_clean(criteria)
    if errors:
        raise ValidationFailed(fields=errors, code=Code.BAD_WINDOW if window else "invalid")

    targets = selectors.plan_targets(actor=actor, project=project, criteria=criteria)
    owned = targets.filter(owner__isnull=False)
    rows = list(owned.values_list("pk", "owner_id").order_by("pk")[: TARGETS_MAX + 1])
    if not rows:
        count = selectors.plan_target_count(targets)
        if count.matched:
            message = _(
                "The %(n)d matching customers have no owner, so nobody would revisit them."
            ) % {"n": count.matched}
        else:
            message = _("No customer matches this filter. Widen it and try again.")
        raise ValidationFailed(message, fields={"criteria": message}, code=Code.NO_TARGETS)
    if len(rows) > TARGETS_MAX:
        count = selectors.plan_target_count(targets)
        message = _("%(n)d customers match; a plan holds at most %(max)d. Narrow the filter.") % {
            "n": count.targets,
            "max": TARGETS_MAX,
        }
        raise ValidationFailed(message, fields={"criteria": message}, code=Code.TOO_MANY_TARGETS)

    plan = RevisitPlan.objects.create(
        project=project, created_by=actor, title=title, purpose=purpose,
        talking_points=talking_points, starts_on=starts_on, due_on=due_on, criteria=criteria,
    )  # fmt: skip
    RevisitTask.objects.bulk_create(
        [RevisitTask(plan=plan, customer_id=pk, owner_id=owner_id) for pk, owner_id in rows],
        batch_size=500,
    )
    return plan


def _excerpt(content: str) -> str:
    text = fold_spaces(content)
    return text if len(text) <= RESULT_EXCERPT else text[: RESULT_EXCERPT - 1] + "…"


def _pending(reached: bool) -> Q:
    pending = Q(status=RevisitTask.Status.OPEN)
    if reached:
        pending |= Q(status=RevisitTask.Status.DONE, reached=False)
    return pending


@prepared
def _candidates(*, customer: int, reached: bool) -> QuerySet:
    # One indexed read on (customer, status), usually empty: recording stays fast. Prepared:
    # every follow-up recorded runs it.
    return RevisitTask.objects.filter(
        _pending(reached),
        customer_id=customer,
        plan__status=RevisitPlan.Status.OPEN,
        plan__closed_at__isnull=True,
    ).values_list("pk", "plan__starts_on", "plan__due_on", "plan__project__rules_overrides")


def tasks_complete_for(followup: FollowUp) -> int:
    """A follow-up on a customer completes their open tasks in running plans whose window
    holds the day it happened (project's local date). A reached contact also replaces an
    earlier unanswered one, so 'reached' counts the best contact made. Returns tasks changed."""
    pending = _pending(followup.reached)
    candidates = _candidates(customer=followup.customer_id, reached=followup.reached)
    ids = []
    for pk, starts_on, due_on, overrides in candidates:
        tz = ProjectRules.from_overrides(overrides).tz
        if starts_on <= followup.occurred_at.astimezone(tz).date() <= due_on:
            ids.append(pk)
    if not ids:
        return 0
    return RevisitTask.objects.filter(pending, pk__in=ids).update(
        status=RevisitTask.Status.DONE,
        followup=followup,
        reached=followup.reached,
        result=_excerpt(followup.content)[:RESULT_MAX],
        done_at=timezone.now(),
    )


def _miss_open_tasks(plan_ids: list[int]) -> int:
    return RevisitTask.objects.filter(plan_id__in=plan_ids, status=RevisitTask.Status.OPEN).update(
        status=RevisitTask.Status.MISSED
    )


@transaction.atomic
def plan_report(*, actor: User, plan: RevisitPlan, report: str) -> RevisitPlan:
    """The plan's creator sums it up. The figures (targets, done, reached, missed) are the
    tasks' own; reporting closes the plan, so tasks still open count as missed."""
    policies.ensure_can_report_plan(actor=actor, plan=plan)
    errors: dict[str, str] = {}
    report = _text(errors, "report", report, limit=REPORT_MAX, required=True, lines=True)
    if not errors and len(report) < REPORT_MIN:
        errors["report"] = _("Too short: write %(n)d more characters.") % {
            "n": REPORT_MIN - len(report)
        }
    if errors:
        raise ValidationFailed(fields=errors)
    now = timezone.now()
    updated = RevisitPlan.objects.filter(pk=plan.pk, status=RevisitPlan.Status.OPEN).update(
        status=RevisitPlan.Status.REPORTED, report=report, reported_at=now,
        closed_at=Coalesce(F("closed_at"), Value(now, output_field=DateTimeField())),
    )  # fmt: skip
    if not updated:
        raise Conflict(_("The report on this plan has already been submitted."),
                       code=Code.ALREADY_REPORTED)  # fmt: skip
    _miss_open_tasks([plan.pk])
    plan.refresh_from_db()
    return plan


@transaction.atomic
def plan_review(*, actor: User, plan: RevisitPlan, comment: str) -> RevisitPlan:
    """A manager of the project comments on the report; the plan is then archived."""
    policies.ensure_can_review_plan(actor=actor, plan=plan)
    errors: dict[str, str] = {}
    comment = _text(errors, "comment", comment, limit=COMMENT_MAX, required=True)
    if errors:
        raise ValidationFailed(fields=errors)
    updated = RevisitPlan.objects.filter(pk=plan.pk, status=RevisitPlan.Status.REPORTED).update(
        status=RevisitPlan.Status.REVIEWED, reviewed_by=actor, reviewed_at=timezone.now(),
        review_comment=comment,
    )  # fmt: skip
    if not updated:
        current = RevisitPlan.objects.filter(pk=plan.pk).values_list("status", flat=True).first()
        if current == RevisitPlan.Status.OPEN:
            raise Conflict(_("The report has not been submitted yet."), code=Code.NOT_REPORTED)
        raise Conflict(_("This plan has already been reviewed."), code=Code.ALREADY_REVIEWED)
    plan.refresh_from_db()
    return plan


@transaction.atomic
def plans_close_due(now: datetime | None = None) -> int:
    """For the tick: plans whose due date has passed in their project's local date stop
    being due; their open tasks are missed. Running it again changes nothing (returns 0)."""
    now = now or timezone.now()
    candidates = RevisitPlan.objects.filter(
        closed_at__isnull=True, due_on__lt=(now + _ZONE_SLACK).date()
    ).select_related("project")
    today_by_project: dict[int, date] = {}
    due: list[int] = []
    for plan in candidates.only("id", "due_on", "project__id", "project__rules_overrides"):
        if plan.project_id not in today_by_project:
            today_by_project[plan.project_id] = _local_today(plan.project, now)
        if plan.due_on < today_by_project[plan.project_id]:
            due.append(plan.pk)
    if not due:
        return 0
    closed = 0
    for start in range(0, len(due), 500):
        batch = due[start : start + 500]
        _miss_open_tasks(batch)
        closed += RevisitPlan.objects.filter(pk__in=batch, closed_at__isnull=True).update(
            closed_at=now
        )
    return closed
