"""Who owns a customer: the one place the owner changes, so the pool clocks stay right and
open revisit tasks (回访任务) move with the customer."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from anchang.customers.models import Customer
from anchang.org.models import User


def owner_set(customer: Customer, owner: User | None, at: datetime | None = None) -> bool:
    """Give the customer a new owner (or none) and restart the reclaim clocks. Returns
    whether the customer was in the shared pool. The caller saves the customer."""
    from anchang.followups.models import RevisitTask  # follow-ups build on customers

    at = at or timezone.now()
    was_in_pool = customer.pool_entered_at is not None
    customer.owner = owner
    customer.owned_since = at if owner is not None else None
    customer.pool_entered_at = None
    # The new owner revisits them (nobody while they are in the pool); My day reads tasks by
    # their owner, so it must be the customer's.
    if customer.pk is not None:
        RevisitTask.objects.filter(customer=customer, status=RevisitTask.Status.OPEN).update(
            owner=owner
        )
    return was_in_pool
