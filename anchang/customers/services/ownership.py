"""Who owns a customer: the one place the owner changes, so the pool clocks stay right. The
apps above react to the change through events (the pool's rules, revisit tasks that move
with the customer)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from anchang.customers.events import OwnerChange, OwnerChanged, OwnerChanging
from anchang.customers.models import Customer
from anchang.events import publish
from anchang.org.models import User


def owner_change_check(customer: Customer, owner: User, *, actor: User, via: OwnerChange) -> None:
    """Ask the apps above whether the customer may go to `owner` now; a refusal is raised
    (the pool's claim rules and hold cap)."""
    publish(OwnerChanging(customer=customer, owner=owner, actor=actor, via=via))


def owner_set(
    customer: Customer,
    owner: User | None,
    at: datetime | None = None,
    *,
    actor: User | None,
    via: OwnerChange,
) -> None:
    """Give the customer a new owner (or none) and restart the reclaim clocks. The caller
    saves the customer."""
    at = at or timezone.now()
    was_in_pool = customer.pool_entered_at is not None
    customer.owner = owner
    customer.owned_since = at if owner is not None else None
    customer.pool_entered_at = None
    publish(
        OwnerChanged(
            customer=customer, owner=owner, actor=actor, via=via, was_in_pool=was_in_pool, at=at
        )
    )
