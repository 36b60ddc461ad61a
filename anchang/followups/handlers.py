"""How the follow-up engine reacts to what happens to customers (customers/events.py);
FollowupsConfig.ready() subscribes these, so customers, below followups, never imports it."""

from __future__ import annotations

from django.utils import timezone

from anchang.customers.events import (
    ContactRegistered,
    ContactsImported,
    ContactsImporting,
    ImportReverting,
    OwnerChanged,
)
from anchang.followups import services
from anchang.followups.models import GradeChange, RevisitTask


def contact_registered(event: ContactRegistered) -> None:
    """A registered call or visit sets the next follow-up and gives a new customer a grade."""
    registration = event.registration
    if event.imported:  # a row of a file (导入): followed up from now
        services.schedule_after_import(
            event.customer, kind=registration.kind, occurred_at=registration.occurred_at,
            now=timezone.now(),
        )  # fmt: skip
    else:
        services.schedule_after_registration(
            event.customer, kind=registration.kind, occurred_at=registration.occurred_at
        )
    services.grade_after_registration(event.customer, actor=event.actor, kind=registration.kind)


def contacts_importing(event: ContactsImporting) -> None:
    """A file's new customers (导入): the same next follow-up and first grade as a registered
    contact gives, set before they are inserted."""
    services.contacts_before_import(event.contacts, now=event.now)


def contacts_imported(event: ContactsImported) -> None:
    """Their first grades recorded, now that they have ids."""
    services.grades_after_import(event.pairs, actor=event.actor)


def import_reverting(event: ImportReverting) -> None:
    """The first grades an import gave go with its customers."""
    GradeChange.objects.filter(customer_id__in=event.customer_ids, at__lte=event.since).delete()


def owner_changed(event: OwnerChanged) -> None:
    """Open revisit tasks (回访任务) move with the customer: the new owner revisits them
    (nobody while they are in the pool). My day reads tasks by their owner, so it must be the
    customer's."""
    if event.customer.pk is not None:
        RevisitTask.objects.filter(customer=event.customer, status=RevisitTask.Status.OPEN).update(
            owner=event.owner
        )
