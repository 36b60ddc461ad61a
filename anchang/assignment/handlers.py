"""Reception and assignment's reactions to the apps below: a conflict (撞单) opened by a
registration gets the outcome the project's ownership rule proposes from the evidence; a
visit of a reported phone is credited to the channel."""

from __future__ import annotations

from anchang.assignment.channels import services as channel_services
from anchang.assignment.conflicts import selectors
from anchang.customers.events import ConflictOpened, ContactRegistered
from anchang.customers.models import OwnershipConflict, Registration


def conflict_opened(event: ConflictOpened) -> None:
    conflict = event.conflict
    proposed, reasons = selectors.propose(conflict)
    OwnershipConflict.objects.filter(pk=conflict.pk).update(proposed=proposed, proposal=reasons)
    conflict.proposed, conflict.proposal = proposed, reasons


def contact_registered(event: ContactRegistered) -> None:
    """A visit of a phone a channel reported: credited to the channel inside its window."""
    if event.registration.kind == Registration.Kind.VISIT:
        channel_services.visit_credit(customer=event.customer, at=event.registration.occurred_at)
