"""Reads of the audit log, scoped to what the actor oversees."""

from django.db.models import Q, QuerySet

from anchang.audit.models import AuditEntry
from anchang.org import policies
from anchang.org.models import User
from anchang.org.selectors import visible_projects


def visible_audit_entries(actor: User) -> QuerySet[AuditEntry]:
    if not policies.can_open_page(actor=actor, page="audit_log"):
        return AuditEntry.objects.none()
    projects = visible_projects(actor).values("pk")
    return (
        AuditEntry.objects.filter(Q(project__isnull=True) | Q(project__in=projects))
        .select_related("actor", "project")
        .order_by("-at", "-id")
    )
