"""Reception and assignment's reactions to the apps below: a conflict (撞单) opened by a
registration gets the outcome the project's ownership rule proposes from the evidence; a
visit of a reported phone is credited to the channel."""

from __future__ import annotations

from anchang.assignment.channels import selectors as channel_selectors
from anchang.assignment.channels import services as channel_services
from anchang.assignment.conflicts import selectors
from anchang.bulk import update_rows
from anchang.customers.choices import MediumKind
from anchang.customers.events import (
    ConflictOpened,
    ConflictsOpened,
    ContactRegistered,
    ContactsImported,
    ReturnsImported,
)
from anchang.customers.models import OwnershipConflict, Registration


def conflict_opened(event: ConflictOpened | ConflictsOpened) -> None:
    """Each new conflict's proposed outcome, from the evidence (one read for many)."""
    conflicts = event.conflicts if isinstance(event, ConflictsOpened) else [event.conflict]
    proposals = selectors.propose_many(conflicts)
    for conflict in conflicts:
        conflict.proposed, conflict.proposal = proposals[conflict.pk]
    update_rows(OwnershipConflict, conflicts, fields=("proposed", "proposal"))


def contact_registered(event: ContactRegistered) -> None:
    """A visit of a phone a channel reported: credited to the channel inside its window."""
    registration = event.registration
    if registration.kind == Registration.Kind.VISIT:
        channel_services.visit_credit(
            customer=event.customer, at=registration.occurred_at,
            via_channel=_via_channel(registration.medium),
        )  # fmt: skip


def contacts_imported(event: ContactsImported | ReturnsImported) -> None:
    """A file's visitors (new customers, or plain returns) whose phones a channel reported:
    credited as a registered visit is, by their first visit in the file (one read finds the
    reported phones among them)."""
    visits: dict[str, tuple] = {}
    for customer, registration in event.pairs:
        if registration is not None and registration.kind == Registration.Kind.VISIT:
            visits.setdefault(customer.phone, (customer, registration))
    if not visits:
        return
    project_id = next(iter(visits.values()))[0].project_id
    for phone in channel_selectors.reported_phones(project_id, visits):
        customer, registration = visits[phone]
        channel_services.visit_credit(
            customer=customer, at=registration.occurred_at,
            via_channel=_via_channel(registration.medium),
        )  # fmt: skip


def _via_channel(medium) -> bool:
    """Whether the visitor says they came through a channel partner (the medium's kind)."""
    return medium is None or medium.kind == MediumKind.CHANNEL
