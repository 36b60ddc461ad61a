"""Reads of channel reports: an agent's own (their phones masked), the project's for the
managers, and the report a deal or a visit is credited to."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from anchang import permissions
from anchang.assignment.models import ChannelAgent, ChannelCompany, ChannelReport
from anchang.ids import parse_id
from anchang.org.models import Project, User
from anchang.org.selectors import (
    project_chosen,
    project_ids_where,
    project_list_by_ids,
    project_staff,
)
from anchang.prepared import unprepared_rows

LIVE = (ChannelReport.Status.VALID, ChannelReport.Status.VISITED)
# What protects a phone from other channels' reports: a live report, or one whose visit a
# manager is deciding.
PROTECTING = (*LIVE, ChannelReport.Status.DISPUTED)


def _agent_roles() -> set[str]:
    return set(permissions.duty_roles("reports_customers"))


def agent_people(project: Project) -> QuerySet[User]:
    """Who may report customers for a channel company of the project."""
    return project_staff(project=project, roles=_agent_roles())


def agent_of(actor: User) -> ChannelAgent | None:
    """The actor's channel company, if they are an active agent of an active one."""
    agent = ChannelAgent.objects.filter(user=actor).select_related("company__project").first()
    if agent is None or not agent.company.is_active:
        return None
    if agent.company.project_id not in project_ids_where(actor, _agent_roles()):
        return None
    return agent


def my_reports(actor: User) -> QuerySet[ChannelReport]:
    """An agent's own reports, newest first: nobody else's."""
    return (
        ChannelReport.objects.filter(agent=actor)
        .select_related("company")
        .order_by("-reported_at", "-id")
    )


def managing_project_ids(actor: User) -> frozenset[int]:
    return project_ids_where(actor, set(permissions.page_roles("channel_reports")))


def managing_project(actor: User, raw) -> Project:
    """The project a request names, among those this page opens for the actor (404 else)."""
    return project_chosen(project_list_by_ids(managing_project_ids(actor)), raw)


def project_reports(project: Project, status: str = "") -> QuerySet[ChannelReport]:
    rows = ChannelReport.objects.filter(project=project)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("company", "agent", "customer").order_by("-reported_at", "-id")


def companies(project: Project) -> list[ChannelCompany]:
    return list(
        ChannelCompany.objects.filter(project=project).prefetch_related("agents__user")
        .order_by("name")
    )  # fmt: skip


def live_report(project_id: int, phone: str) -> ChannelReport | None:
    return (
        ChannelReport.objects.filter(project_id=project_id, phone=phone, status__in=PROTECTING)
        .select_related("company")
        .first()
    )


def reported_phones(project_id: int, phones) -> set[str]:
    """Which of these phones a channel reported and is waiting for their visit."""
    wanted = list(phones)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        reports = ChannelReport.objects.filter(
            project_id=project_id, status=ChannelReport.Status.VALID,
            phone__in=wanted[start : start + 500],
        )  # fmt: skip
        found.update(phone for (phone,) in unprepared_rows(reports.values_list("phone")))
    return found


def creditable(customer, at: datetime) -> ChannelReport | None:
    """The report a deal with this customer at `at` is credited to: visited (or, under the
    report → deal model, valid) and inside its deal window."""
    return (
        ChannelReport.objects.filter(
            Q(customer=customer) | Q(customer__isnull=True, phone=customer.phone),
            project_id=customer.project_id,
            status__in=LIVE,
            deal_by__gte=at,
        )
        .select_related("company")
        .order_by("reported_at")
        .first()
    )


def managed_report(actor: User, pk) -> ChannelReport | None:
    """A report of a project whose channel reports the actor manages; None otherwise (an id
    nobody has answers alike)."""
    return ChannelReport.objects.filter(
        pk=parse_id(pk), project_id__in=sorted(managing_project_ids(actor))
    ).first()
