"""撞单: a manager decides who keeps a customer two consultants registered."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.customers import policies
from anchang.customers.errors import Code
from anchang.customers.models import Customer, OwnershipConflict
from anchang.customers.services.profile import _change_owner
from anchang.errors import Conflict, ValidationFailed
from anchang.org.models import User
from anchang.validators import fold_spaces

DECISIONS = (
    OwnershipConflict.Status.KEPT,
    OwnershipConflict.Status.TRANSFERRED,
    OwnershipConflict.Status.SPLIT,
)


@transaction.atomic
def conflict_resolve(
    *,
    actor: User,
    conflict: OwnershipConflict,
    decision: str,
    note: str = "",
) -> OwnershipConflict:
    """Keep the owner, transfer the customer to the claimant, or keep the owner and split a
    deal's credit with the claimant; history and audit kept. Deciding otherwise than the
    outcome proposed from the evidence (`conflict.proposed`) needs a note saying why."""
    policies.ensure_can_reassign_customer(actor=actor, customer=conflict.customer)
    note = fold_spaces(note)
    if len(note) > 200:
        raise ValidationFailed(fields={"note": _("At most %(n)d characters.") % {"n": 200}})
    if decision not in DECISIONS:
        raise ValidationFailed(fields={"decision": _("Keep the owner, transfer or split.")})
    if conflict.proposed and decision != conflict.proposed and not note:
        raise ValidationFailed(
            fields={"note": _("Say why you decide otherwise than proposed.")},
            code=Code.OVERRIDE_NEEDS_NOTE,
        )
    updated = OwnershipConflict.objects.filter(
        pk=conflict.pk, status=OwnershipConflict.Status.OPEN
    ).update(status=decision, resolved_by=actor, resolved_at=timezone.now(), note=note)
    if not updated:
        raise Conflict(_("This conflict has already been decided."), code=Code.ALREADY_RESOLVED)
    if decision == OwnershipConflict.Status.TRANSFERRED:
        customer = Customer.objects.select_for_update().get(pk=conflict.customer_id)
        reason = _("Ownership conflict decided for the claimant") + (f": {note}" if note else "")
        _change_owner(customer, conflict.claimant, actor=actor, reason=reason)
    conflict.refresh_from_db()
    audit_record(
        action=AuditEntry.Action.CONFLICT_RESOLVED, actor=actor, obj=conflict.customer,
        project=conflict.project,
        details={"decision": decision, "claimant": str(conflict.claimant), "note": note,
                 **({"proposed": conflict.proposed} if conflict.proposed else {})},
    )  # fmt: skip
    return conflict
