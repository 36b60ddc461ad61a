"""Reads of assignment and handover: the queue of customers nobody owns, customers whose
follow-up has lapsed, a leaver's customers, and the colleagues who may take them with what
they hold. Every list of customers starts from the actor's `reassign` scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from anchang import permissions
from anchang.assignment import policies
from anchang.customers.models import Customer
from anchang.customers.phones import mask_phone
from anchang.customers.selectors import customers_for
from anchang.org.models import Project, User
from anchang.org.selectors import project_chosen, project_list_by_ids, project_owners, project_rules
from anchang.pool.rules import POOL_STATES

LIST_MAX = 500  # rows a list shows (and a bulk move takes) at once
OVERDUE_DAYS = (3, 7, 14, 30)


def assigning_projects(actor: User) -> list[Project]:
    return project_list_by_ids(policies.assigning_project_ids(actor))


def assigning_project(actor: User, raw) -> Project:
    """The project a request names, among those this page opens for the actor (404 else)."""
    return project_chosen(assigning_projects(actor), raw)


def reassignable(actor: User, project: Project) -> QuerySet[Customer]:
    return customers_for(actor, "reassign").filter(project=project)


def queue(actor: User, project: Project) -> QuerySet[Customer]:
    """待分配: customers nobody owns and who were never put in the pool (hotline and online
    leads, imports), the oldest first."""
    return (
        reassignable(actor, project)
        .filter(owner__isnull=True, pool_entered_at__isnull=True)
        .select_related("medium")
        .order_by("created_at", "id")
    )


def lapsed(actor: User, project: Project, *, today: date, days: int,
           owner_id: int | None = None) -> QuerySet[Customer]:  # fmt: skip
    """跟进不力: customers still in play whose next follow-up is more than `days` late."""
    rows = reassignable(actor, project).filter(
        owner__isnull=False, state__in=POOL_STATES,
        next_follow_up_on__lt=today - timedelta(days=days),
    )  # fmt: skip
    if owner_id:
        rows = rows.filter(owner_id=owner_id)
    return rows.select_related("owner").order_by("next_follow_up_on", "id")


def listed(rows: QuerySet[Customer], today: date) -> list[Customer]:
    """A list's first LIST_MAX rows as both doors show them: the phone masked, and how many
    days the next follow-up is late."""
    out = list(rows[:LIST_MAX])
    for row in out:
        row.phone_masked = mask_phone(row.phone)
        row.late_days = (today - row.next_follow_up_on).days if row.next_follow_up_on else None
    return out


def held_by(actor: User, project: Project, owner_id: int) -> QuerySet[Customer]:
    """Every customer of the project the owner holds, whatever their state (a leaver's)."""
    return reassignable(actor, project).filter(owner_id=owner_id).order_by("id")


@dataclass
class Colleague:
    user: User
    held: int  # in-play customers held now (what the hold cap counts)
    total: int  # every customer held
    cap: int
    takes: bool = True  # may take customers now (False: listed only as a leaver)

    @property
    def label(self) -> str:
        return f"{self.user} · {self.held}/{self.cap}"


def colleagues(project: Project, *, include: set[int] | None = None) -> list[Colleague]:
    """Who may take customers (active, `duties.own_customers`), with what they hold: one
    aggregate query, for a project whose customers the reader assigns (the counts are the
    project's). `include`: users to list even if no longer among them (a leaver)."""
    people = list(project_owners(project))
    ids = {u.pk for u in people}
    if include:
        people += list(User.objects.filter(pk__in=include - ids))
    counts = {
        row["owner_id"]: row
        for row in Customer.objects.filter(project=project, owner_id__in=[u.pk for u in people])
        .values("owner_id")
        .annotate(total=Count("id"), held=Count("id", filter=Q(state__in=POOL_STATES)))
    }
    cap = project_rules(project).pool.max_active_customers
    return [
        Colleague(user=u, held=counts.get(u.pk, {}).get("held", 0),
                  total=counts.get(u.pk, {}).get("total", 0), cap=cap, takes=u.pk in ids)
        for u in people
    ]  # fmt: skip


def owners_with_customers(project: Project) -> list[User]:
    """Who holds or held customers in the project (`duties.own_customers`, their membership
    active or not): whose customers may be handed over. A consultant who left keeps their
    customers until someone hands them over."""
    roles = sorted(permissions.duty_roles("own_customers"))
    return list(
        User.objects.filter(memberships__project=project, memberships__role__in=roles)
        .distinct()
        .order_by("name", "username")
    )
