"""A manager's decisions: discounts, cancellations, side moves, reservations, price changes
and refunds. Nobody decides what they asked for; a decision is taken once (a conditional
UPDATE from pending), and an approval applies its change in the same transaction."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.deals import policies, rules
from anchang.deals.errors import Code
from anchang.deals.models import Approval, Deal, Unit
from anchang.deals.services.catalogue import _taken
from anchang.deals.services.deals import _ensure_above_floor, apply_cancel, apply_side
from anchang.deals.services.payments import apply_refund
from anchang.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from anchang.org.models import User
from anchang.validators import fold_spaces

K = Approval.Kind
COMMENT_MAX = 300


def can_decide(*, actor: User, approval: Approval) -> bool:
    if approval.deal_id is not None:
        deal = approval.deal
        return policies.can_deal(actor, "approve", deal)
    return policies.can_approve_in(actor=actor, project_id=approval.project_id)


@transaction.atomic
def approval_decide(
    *, actor: User, approval: Approval, approve: bool, comment: str = "",
    now: datetime | None = None,
) -> Approval:  # fmt: skip
    now = now or timezone.now()
    if not can_decide(actor=actor, approval=approval):
        if approval.deal_id is not None and not policies.can_deal(actor, "view", approval.deal):
            raise NotFound()
        raise PermissionDenied()
    if approval.requested_by_id == actor.pk:
        raise PermissionDenied(_("Someone else decides what you asked for."), code=Code.OWN_REQUEST)
    comment = fold_spaces(comment)
    if len(comment) > COMMENT_MAX:
        raise ValidationFailed(
            fields={"comment": _("At most %(n)d characters.") % {"n": COMMENT_MAX}}
        )
    if not approve and not comment:
        raise ValidationFailed(fields={"comment": _("Say why it is refused.")})
    status = Approval.Status.APPROVED if approve else Approval.Status.REJECTED
    decided = Approval.objects.filter(pk=approval.pk, status=Approval.Status.PENDING).update(
        status=status, decided_by=actor, decided_at=now, comment=comment
    )
    if not decided:
        raise Conflict(_("This request has already been decided."), code=Code.APPROVAL_DECIDED)
    approval.refresh_from_db()
    if approve:
        _apply(approval, actor, now)
    elif approval.kind == K.DISCOUNT:
        # a refused discount leaves the deal where it is until the price is asked again
        pass
    audit_record(
        action=AuditEntry.Action.APPROVAL_DECIDED, actor=actor, obj=approval,
        project=approval.project,
        details={"kind": approval.kind, "decision": status, "deal": approval.deal_id,
                 "unit": approval.unit_id},
    )  # fmt: skip
    return approval


def _apply(approval: Approval, actor: User, now: datetime) -> None:
    kind = approval.kind
    if kind == K.DISCOUNT:
        deal = approval.deal
        _ensure_above_floor(deal.unit or deal.package, deal.deal_price)
        Deal.objects.filter(pk=deal.pk).update(discount_approved=True, version=F("version") + 1)
    elif kind == K.CANCEL:
        apply_cancel(approval.deal, actor, now, approval.reason)
    elif kind in (K.CHANGE_UNIT, K.RENAME, K.DELAY, K.REPRICE):
        if not approval.deal.is_active:
            raise Conflict(_("This deal was cancelled."), code=Code.DEAL_CLOSED)
        apply_side(approval.deal, approval, actor, now)
    elif kind == K.REFUND:
        apply_refund(approval.deal, approval, actor, now)
    elif kind == K.RESERVE:
        unit = approval.unit
        reserved = Unit.objects.filter(pk=unit.pk, status=Unit.Status.AVAILABLE).update(
            status=Unit.Status.RESERVED, reserve_reason=approval.reason,
            version=F("version") + 1, updated_at=now,
        )  # fmt: skip
        if not reserved:
            unit.refresh_from_db()
            raise _taken(unit)
    elif kind == K.PRICE:
        unit = approval.unit
        payload = approval.payload
        changed = Unit.objects.filter(pk=unit.pk, standard_price=payload["old_price"]).update(
            standard_price=payload["new_price"],
            floor_price=payload["new_floor_price"] or F("floor_price"),
            version=F("version") + 1, updated_at=now,
        )  # fmt: skip
        if not changed:
            raise Conflict(
                _("The price changed since this was asked; ask again."), code=Code.STALE_VERSION
            )
        audit_record(
            action=AuditEntry.Action.PRICE_CHANGED, actor=actor, obj=unit, project=approval.project,
            details={
                "old": rules.yuan_plain(payload["old_price"]),
                "new": rules.yuan_plain(payload["new_price"]), "approval": approval.pk,
            },
        )  # fmt: skip


@transaction.atomic
def unit_unreserve(*, actor: User, unit: Unit, now: datetime | None = None) -> Unit:
    """A reserved unit returns to sale, by whoever approves in the project."""
    if not policies.can_approve_in(actor=actor, project_id=unit.project_id):
        raise PermissionDenied()
    released = Unit.objects.filter(pk=unit.pk, status=Unit.Status.RESERVED).update(
        status=Unit.Status.AVAILABLE, reserve_reason="", version=F("version") + 1,
        updated_at=now or timezone.now(),
    )  # fmt: skip
    if not released:
        raise Conflict(_("This unit is not reserved."), code=Code.UNIT_TAKEN)
    unit.refresh_from_db()
    return unit
