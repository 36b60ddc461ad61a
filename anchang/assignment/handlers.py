"""Reception and assignment's reactions to the apps below: a conflict (撞单) opened by a
registration gets the outcome the project's ownership rule proposes from the evidence."""

from __future__ import annotations

from anchang.assignment.conflicts import selectors
from anchang.customers.events import ConflictOpened
from anchang.customers.models import OwnershipConflict


def conflict_opened(event: ConflictOpened) -> None:
    conflict = event.conflict
    proposed, reasons = selectors.propose(conflict)
    OwnershipConflict.objects.filter(pk=conflict.pk).update(proposed=proposed, proposal=reasons)
    conflict.proposed, conflict.proposal = proposed, reasons
