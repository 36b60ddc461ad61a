"""Revealing a masked phone: a POST with a reason, audited, capped per user (PIPL)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.customers import policies
from anchang.customers.errors import Code
from anchang.customers.models import Customer
from anchang.customers.phone_search import reveal_within_cap
from anchang.errors import DomainError, ValidationFailed
from anchang.org.models import User
from anchang.validators import fold_spaces

REASON_MAX = 200


class RevealLimitReached(DomainError):
    status = 429
    default_code = Code.REVEAL_LIMIT


def phone_reveal(*, actor: User, customer: Customer, reason: str) -> str:
    """Return the full number and write exactly one audit entry for it. A refusal is
    recorded too, outside any transaction, so the refusal itself is never rolled back."""
    policies.ensure_can_reveal_phone(actor=actor, customer=customer)
    reason = fold_spaces(reason)
    if not reason:
        raise ValidationFailed(fields={"reason": _("Say why you need the full number.")})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(fields={"reason": _("At most %(n)d characters.") % {"n": 200}})
    if not reveal_within_cap(actor, customer, reason):
        audit_record(
            action=AuditEntry.Action.REVEAL_BLOCKED, actor=actor, obj=customer,
            project=customer.project,
        )  # fmt: skip
        raise RevealLimitReached(
            _("You have revealed too many numbers recently. Your manager has been told.")
        )
    return customer.phone
