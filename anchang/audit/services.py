"""The one way to write the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models as dj_models
from django.http import HttpRequest

from anchang.audit.models import AuditEntry


def client_ip(request: HttpRequest | None) -> str | None:
    # Behind a reverse proxy, ProxyClientAddressMiddleware has put the client's address here.
    # Services may be handed a stand-in for a request (a plan's saved filters): no address.
    meta = getattr(request, "META", None)
    return meta.get("REMOTE_ADDR") if meta is not None else None


def audit_record(
    *,
    action: str,
    actor=None,
    actor_label: str = "",
    obj: dj_models.Model | None = None,
    project=None,
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Details carry ids and field names, never phones or ID numbers."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor else ""),
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        project=project,
        ip=client_ip(request),
        details=details or {},
    )
