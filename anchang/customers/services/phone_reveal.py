"""Revealing a masked phone: a POST with a reason, audited, capped per user (PIPL)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.customers import policies
from anchang.customers.models import Customer
from anchang.errors import DomainError, ValidationFailed
from anchang.org.models import User
from anchang.org.selectors import project_rules

REASON_MAX = 200


class RevealLimitReached(DomainError):
    status = 429
    default_code = "reveal_limit"


def phone_reveal(
    *, actor: User, customer: Customer, reason: str, request: HttpRequest | None = None
) -> str:
    """Return the full number and write exactly one audit entry for it. A refusal is
    recorded too, outside any transaction, so the refusal itself is never rolled back."""
    policies.ensure_can_reveal_phone(actor=actor, customer=customer)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(fields={"reason": _("Say why you need the full number.")})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(fields={"reason": _("At most %(n)d characters.") % {"n": 200}})
    limits = project_rules(customer.project).privacy
    with transaction.atomic():
        # One user's reveals one at a time (their user row locked on PostgreSQL; SQLite's
        # IMMEDIATE transaction locks the database): count-then-write let two at once both
        # pass the last place under the cap.
        list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk"))
        now = timezone.now()
        reveals = AuditEntry.objects.filter(actor=actor, action=AuditEntry.Action.PHONE_REVEALED)
        allowed = (
            reveals.filter(at__gte=now - timedelta(hours=1)).count() < limits.reveals_per_hour
            and reveals.filter(at__gte=now - timedelta(days=1)).count() < limits.reveals_per_day
        )
        if allowed:
            audit_record(
                action=AuditEntry.Action.PHONE_REVEALED, actor=actor, obj=customer,
                project=customer.project, request=request, details={"reason": reason},
            )  # fmt: skip
    if not allowed:
        audit_record(
            action=AuditEntry.Action.REVEAL_BLOCKED, actor=actor, obj=customer,
            project=customer.project, request=request,
        )  # fmt: skip
        raise RevealLimitReached(
            _("You have revealed too many numbers recently. Your manager has been told.")
        )
    return customer.phone
