"""Reads of the shared pool (公海): what is in it, what is about to return, who took what."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from anchang import permissions
from anchang.customers.models import Customer
from anchang.customers.scope import IN_POOL
from anchang.dates import local_date, start_of
from anchang.followups.models import LossApplication
from anchang.lookups import get_in_scope
from anchang.org.models import Project, User
from anchang.org.selectors import project_list_where, project_rules, projects_where
from anchang.pool import policies
from anchang.pool.models import PoolEvent
from anchang.pool.rules import (
    POOL_STATES,
    PoolRules,
    Reclaim,
    Refusal,
    cooldown_refusal,
    cutoffs,
    daily_claim_refusal,
    hold_cap_refusal,
    reclaim_due,
)
from anchang.prepared import prepared

WARNINGS_LIMIT = 20  # the soonest to return; My day says when there are more
# Which return soonest is computed in Python (the earlier of two rules): read this many.
WARNINGS_READ = 500


def reclaimable_q(conf: PoolRules, now: datetime, ahead: timedelta = timedelta(0)) -> Q:
    """Owned customers whose reclaim moment (rules.reclaim_due) is at or before now + ahead."""
    cut = cutoffs(now, conf, ahead)
    return _reclaimable_by(no_contact=cut["no_contact"], no_subscription=cut["no_subscription"])


def _reclaimable_by(*, no_contact: datetime, no_subscription: datetime) -> Q:
    """reclaimable_q from the two cut-off moments (bound values of a prepared read)."""
    uncontacted = Q(owned_since__lte=no_contact) & (
        Q(last_reached_at__isnull=True) | Q(last_reached_at__lte=no_contact)
    )
    unsubscribed = Q(owned_since__lte=no_subscription)
    pending_loss = LossApplication.objects.filter(customer=OuterRef("pk"), status="pending")
    # A pending loss application is a manager's decision in progress: it waits for them.
    return (
        Q(owner__isnull=False, state__in=POOL_STATES)
        & (uncontacted | unsubscribed)
        & ~Exists(pending_loss)
    )


def pool_projects(actor: User) -> QuerySet[Project]:
    """Projects whose pool the actor may see: where they hold a pool role."""
    return projects_where(actor, set(permissions.page_roles("pool")))


def pool_customers(actor: User, project: Project | None = None) -> QuerySet[Customer]:
    """Customers in the pools the actor may see, newest arrivals first."""
    projects = pool_projects(actor)
    if project is not None:
        projects = projects.filter(pk=project.pk)
    return (
        Customer.objects.filter(IN_POOL, project__in=projects)
        .select_related("project")
        .order_by("-pool_entered_at", "-id")
    )


def pool_customer_get(actor: User, pk) -> Customer:
    """A customer in a pool the actor may see; 404 otherwise (taken since, or never)."""
    return get_in_scope(pool_customers(actor), pk)


@prepared
def _about_to_return(
    *, project: int, owner: int, no_contact: datetime, no_subscription: datetime
) -> QuerySet[Customer]:
    reclaimable = _reclaimable_by(no_contact=no_contact, no_subscription=no_subscription)
    mine = Customer.objects.filter(project_id=project, owner_id=owner).filter(reclaimable)
    return mine.only(
        "id", "name", "state", "grade", "owned_since", "last_reached_at", "project_id"
    )[:WARNINGS_READ]


def pool_warnings(
    actor: User, now: datetime | None = None, limit: int = WARNINGS_LIMIT
) -> list[tuple[Customer, Reclaim]]:
    """The actor's customers who return to the pool within the project's warning window."""
    now = now or timezone.now()
    out: list[tuple[Customer, Reclaim]] = []
    for project in project_list_where(actor, policies.claiming_roles()):
        conf = project_rules(project).pool
        cut = cutoffs(now, conf, timedelta(days=conf.warn_days_before))
        soon = _about_to_return(project=project.pk, owner=actor.pk, no_contact=cut["no_contact"],
                                no_subscription=cut["no_subscription"])  # fmt: skip
        for customer in soon:
            due = reclaim_due(
                state=customer.state, owned_since=customer.owned_since,
                last_reached_at=customer.last_reached_at, conf=conf,
            )  # fmt: skip
            if due is not None:
                out.append((customer, due))
    return sorted(out, key=lambda item: item[1].at)[:limit]


def my_day_pool(actor: User, today: date) -> dict[str, Any]:
    """The pool's section of My day: the customers about to return, the soonest first, and
    whether there are more than it shows."""
    warnings = pool_warnings(actor, limit=WARNINGS_LIMIT + 1)
    return {"pool_warnings": warnings[:WARNINGS_LIMIT], "pool_more": len(warnings) > WARNINGS_LIMIT}


def claims_today(actor: User, project: Project, now: datetime | None = None) -> int:
    now = now or timezone.now()
    tz = project_rules(project).tz
    return PoolEvent.objects.filter(
        to_owner=actor, project=project, kind=PoolEvent.Kind.CLAIMED,
        at__gte=start_of(local_date(tz, now), tz),
    ).count()  # fmt: skip


def held_count(owner: User, project: Project) -> int:
    """Customers still in play the owner holds in the project (the hold cap counts these)."""
    return Customer.objects.filter(project=project, owner=owner, state__in=POOL_STATES).count()


def last_reclaim_from(customer: Customer, owner: User) -> PoolEvent | None:
    return (
        PoolEvent.objects.filter(customer=customer, kind=PoolEvent.Kind.RECLAIMED, from_owner=owner)
        .order_by("-at")
        .first()
    )


def pool_events(actor: User, project: Project | None = None, limit: int = 50) -> list[PoolEvent]:
    """Recent moves: a manager sees the project's, a consultant only those involving them."""
    managed = projects_where(actor, policies.handing_out_roles())
    projects = pool_projects(actor)
    if project is not None:
        projects = projects.filter(pk=project.pk)
    involved = Q(from_owner=actor) | Q(to_owner=actor) | Q(project__in=managed)
    return list(
        PoolEvent.objects.filter(involved, project__in=projects)
        .select_related("customer", "actor", "from_owner", "to_owner")
        .order_by("-at", "-id")[:limit]
    )


def customer_pool_events(customer: Customer) -> QuerySet[PoolEvent]:
    return customer.pool_events.select_related("actor", "from_owner", "to_owner").order_by("-at")


def claim_refusals(
    actor: User, project: Project, customers: list[Customer], now: datetime | None = None
) -> tuple[Refusal | None, dict[int, Refusal]]:
    """Why a claim by the actor would be refused, so the pool page offers only claims that
    can succeed: (the refusal for every customer — daily limit or hold cap —, the cooldown
    refusals per customer). The same rule functions and order as `services.pool_claim`,
    in three queries for the page."""
    now = now or timezone.now()
    project_conf = project_rules(project)
    conf = project_conf.pool
    ids = [c.pk for c in customers]
    reclaimed = dict(
        PoolEvent.objects.filter(customer_id__in=ids, kind=PoolEvent.Kind.RECLAIMED,
                                 from_owner=actor)
        .values_list("customer_id")
        .annotate(at=Max("at"))
    )  # fmt: skip
    cooling = {}
    for pk, at in reclaimed.items():
        refusal = cooldown_refusal(reclaimed_at=at, now=now, conf=conf, tz=project_conf.tz)
        if refusal is not None:
            cooling[pk] = refusal
    everyone = daily_claim_refusal(
        taken=claims_today(actor, project, now), adding=1, conf=conf
    ) or hold_cap_refusal(
        owner=str(actor), held=held_count(actor, project), adding=1, conf=conf
    )  # fmt: skip
    return everyone, cooling
