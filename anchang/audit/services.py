"""The one way to write the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models as dj_models

from anchang.audit.context import audit_context_current
from anchang.audit.models import AuditEntry


def audit_record(
    *,
    action: str,
    actor=None,
    actor_label: str = "",
    obj: dj_models.Model | None = None,
    project=None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Details carry ids and field names, never phones or ID numbers; the
    address comes from the request being served (AuditContextMiddleware), none outside one."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor else ""),
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        project=project,
        ip=audit_context_current().ip,
        details=details or {},
    )
