"""Reads of revisit plans (回访计划): who sees which plan, its targets, progress, My day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from anchang.customers.choices import State
from anchang.customers.filters import CustomerFilter
from anchang.customers.models import Customer, Medium
from anchang.customers.selectors import customers_for, prepared_in_scope
from anchang.errors import ValidationFailed
from anchang.followups.errors import Code
from anchang.followups.models import RevisitPlan, RevisitTask
from anchang.followups.policies import review_project_ids
from anchang.followups.revisits import policies
from anchang.ids import parse_id
from anchang.lookups import get_in_scope
from anchang.org.models import Project, User
from anchang.org.selectors import projects_where

# The customer list's filter parameters a plan may be built from (sorting changes nothing).
CRITERIA_KEYS = tuple(name for name in CustomerFilter.base_filters if name != "order")
CRITERION_MAX = 100
MY_DAY_LIMIT = 20  # soonest due; completing them brings up the next
TASKS_SHOWN = 500


def plan_projects(actor: User) -> QuerySet[Project]:
    """Projects where the actor may create revisit plans (policies.can_create_plan)."""
    return projects_where(actor, policies.plan_roles()).order_by("name")


def criteria_clean(criteria: object) -> dict[str, str]:
    """The filter parameters as the customer list reads them; empty ones dropped.
    Unknown keys, nested values and oversized values are refused, not ignored."""
    if not isinstance(criteria, dict):
        raise ValidationFailed(fields={"criteria": _("Send the filter as an object.")})
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for key, value in criteria.items():
        name = f"criteria.{key}"[:60]
        if key not in CRITERIA_KEYS:
            errors[name] = _("Unknown filter.")
        elif value is None or value == "":
            continue
        elif isinstance(value, bool):
            cleaned[key] = "true" if value else "false"
        elif isinstance(value, str | int) and len(str(value)) <= CRITERION_MAX:
            cleaned[key] = str(value).strip()
        else:
            errors[name] = _("Not a valid value.")
    if errors:
        raise ValidationFailed(_("The customer filter is not valid."), fields=errors,
                               code=Code.INVALID_CRITERIA)  # fmt: skip
    return {k: v for k, v in cleaned.items() if v}


def plan_targets(*, actor: User, project: Project, criteria: dict[str, str]) -> QuerySet[Customer]:
    """The customers the filter matches among those the actor may list in the project
    (a consultant's own, a manager's whole project). `criteria` is criteria_clean's output."""
    base = customers_for(actor, "list").filter(project=project)
    filterset = CustomerFilter(data=criteria, queryset=base, request=SimpleNamespace(user=actor))
    if not filterset.is_valid():
        fields = {
            f"criteria.{name}": " ".join(str(e) for e in errs)
            for name, errs in filterset.errors.items()
        }
        raise ValidationFailed(_("The customer filter is not valid."), fields=fields,
                               code=Code.INVALID_CRITERIA)  # fmt: skip
    return filterset.qs.order_by()


@dataclass(frozen=True)
class TargetCount:
    matched: int
    without_owner: int

    @property
    def targets(self) -> int:
        return self.matched - self.without_owner


def plan_target_count(targets: QuerySet[Customer]) -> TargetCount:
    """One aggregate: customers matched, and those with no owner (nobody's My day, so left
    out of the plan)."""
    row = targets.aggregate(matched=Count("id"), unowned=Count("id", filter=Q(owner__isnull=True)))
    return TargetCount(row["matched"], row["unowned"])


def _with_figures(plans: QuerySet[RevisitPlan]) -> QuerySet[RevisitPlan]:
    done = RevisitTask.Status.DONE
    return plans.annotate(
        n_targets=Count("tasks"),
        n_done=Count("tasks", filter=Q(tasks__status=done)),
        n_reached=Count("tasks", filter=Q(tasks__status=done, tasks__reached=True)),
        n_missed=Count("tasks", filter=Q(tasks__status=RevisitTask.Status.MISSED)),
    )


def plans_visible(actor: User, *, figures: bool = False) -> QuerySet[RevisitPlan]:
    """Managers see their projects' plans; anyone sees plans they created or hold tasks in."""
    own_task = RevisitTask.objects.filter(plan=OuterRef("pk"), owner=actor)
    q = Q(created_by=actor) | Q(Exists(own_task))
    managed = review_project_ids(actor)
    if managed:
        q |= Q(project_id__in=managed)
    plans = (
        RevisitPlan.objects.filter(q)
        .select_related("project", "created_by", "reviewed_by")
        .order_by("-id")
    )
    return _with_figures(plans) if figures else plans


def plan_get_visible(*, actor: User, pk) -> RevisitPlan:
    """404 (never 403) for a plan the actor may not see."""
    return get_in_scope(plans_visible(actor), pk)


@dataclass
class OwnerProgress:
    owner_id: int | None
    owner_name: str
    targets: int = 0
    done: int = 0
    reached: int = 0
    missed: int = 0

    @property
    def open(self) -> int:
        return self.targets - self.done - self.missed


@dataclass
class Progress:
    targets: int = 0
    done: int = 0
    reached: int = 0
    missed: int = 0
    per_owner: list[OwnerProgress] = field(default_factory=list)

    @property
    def open(self) -> int:
        return self.targets - self.done - self.missed

    @property
    def done_percent(self) -> int:
        return round(100 * self.done / self.targets) if self.targets else 0


def plan_progress(plan: RevisitPlan) -> Progress:
    """Targets, done, reached, missed and open, in total and per owner: one query."""
    done = RevisitTask.Status.DONE
    rows = (
        RevisitTask.objects.filter(plan=plan)
        .values("owner_id", "owner__name", "owner__username")
        .annotate(
            targets=Count("id"),
            done=Count("id", filter=Q(status=done)),
            reached=Count("id", filter=Q(status=done, reached=True)),
            missed=Count("id", filter=Q(status=RevisitTask.Status.MISSED)),
        )
        .order_by("owner__name", "owner_id")
    )
    progress = Progress()
    for row in rows:
        name = row["owner__name"] or row["owner__username"] or "—"
        owner = OwnerProgress(row["owner_id"], name, row["targets"], row["done"],
                              row["reached"], row["missed"])  # fmt: skip
        progress.per_owner.append(owner)
        progress.targets += owner.targets
        progress.done += owner.done
        progress.reached += owner.reached
        progress.missed += owner.missed
    return progress


def plan_tasks_visible(actor: User, plan: RevisitPlan) -> QuerySet[RevisitTask]:
    """The plan's tasks on customers the actor may see: a consultant sees their own
    customers' rows, not a colleague's; counts per owner come from plan_progress."""
    visible = customers_for(actor, "view").values("pk")
    return (
        RevisitTask.objects.filter(plan=plan, customer__in=visible)
        .select_related("customer", "owner", "followup")
        .order_by("owner__name", "owner_id", "status", "customer__name_pinyin", "id")
    )


def revisit_tasks_due(actor: User, today: date, limit: int = MY_DAY_LIMIT) -> list[RevisitTask]:
    """My day: open tasks of running plans (started, not closed) on customers the actor
    owns now, soonest due first. A task's owner follows its customer (owner_set), so this
    reads the actor's tasks by the (owner, status) index. One query."""
    return _tasks_due(actor, me=actor.pk, today=today, limit=limit)


@prepared_in_scope("view", shape=("limit",))
def _tasks_due(customers: QuerySet, *, me: int, today: date, limit: int) -> QuerySet[RevisitTask]:
    visible = customers.filter(owner_id=me, pk=OuterRef("customer_id"))
    return (
        RevisitTask.objects.filter(
            Exists(visible),
            owner_id=me,
            status=RevisitTask.Status.OPEN,
            plan__status=RevisitPlan.Status.OPEN,
            plan__closed_at__isnull=True,
            plan__starts_on__lte=today,
        )
        .select_related("plan", "customer")
        .only(
            "id",
            "plan_id",
            "customer_id",
            "plan__title",
            "plan__purpose",
            "plan__due_on",
            "customer__name",
            "customer__name_pinyin",
        )  # fmt: skip
        .order_by("plan__due_on", "plan_id", "customer__name_pinyin", "id")[:limit]
    )


def criteria_display(criteria: dict) -> list[tuple[str, str]]:
    """The filter a plan was made with, as people read it: (label, value) pairs."""
    out: list[tuple[str, str]] = []
    for key in CRITERIA_KEYS:
        value = str((criteria or {}).get(key, ""))
        if not value:
            continue
        label = str(CustomerFilter.base_filters[key].label or key)
        choices = CustomerFilter.base_filters[key].extra.get("choices")
        if key == "state":
            value = str(dict(State.choices).get(value, value))
        elif isinstance(choices, list | tuple):  # grade and other choice filters
            value = str(dict(choices).get(value, value))
        elif key == "owner" and parse_id(value):
            user = User.objects.filter(pk=parse_id(value)).only("name", "username").first()
            value = str(user) if user else value
        elif key == "medium" and parse_id(value):
            medium = Medium.objects.filter(pk=parse_id(value)).only("name").first()
            value = medium.name if medium else value
        elif key in ("below_target", "late", "overdue"):
            if value.lower() not in ("true", "1", "on", "yes"):
                continue
            value = "✓"
        out.append((label, value))
    return out
