"""Reads of the audit log, scoped to what the actor oversees."""

from datetime import datetime

from django.db.models import Count, Q, QuerySet

from anchang.audit import policies
from anchang.audit.models import AuditEntry
from anchang.org.models import User
from anchang.org.selectors import visible_projects


def visible_audit_entries(actor: User) -> QuerySet[AuditEntry]:
    if not policies.can_read_audit_log(actor=actor):
        return AuditEntry.objects.none()
    projects = visible_projects(actor).values("pk")
    return (
        AuditEntry.objects.filter(Q(project__isnull=True) | Q(project__in=projects))
        .select_related("actor", "project")
        .order_by("-at", "-id")
    )


def reveal_blocks(projects, since: datetime) -> list[dict]:
    """Who hit the phone-reveal limit in these projects since then, most often first."""
    return list(
        AuditEntry.objects.filter(
            action=AuditEntry.Action.REVEAL_BLOCKED, project__in=projects, at__gte=since
        )
        .values("actor__name", "actor__username")
        .annotate(times=Count("id"))
        .order_by("-times")
    )
