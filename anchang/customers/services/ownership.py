"""Who owns a customer: the one place the owner changes, so the pool clocks stay right."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from anchang.customers.models import Customer
from anchang.org.models import User


def owner_set(customer: Customer, owner: User | None, at: datetime | None = None) -> bool:
    """Give the customer a new owner (or none) and restart the reclaim clocks. Returns
    whether the customer was in the shared pool. The caller saves the customer."""
    at = at or timezone.now()
    was_in_pool = customer.pool_entered_at is not None
    customer.owner = owner
    customer.owned_since = at if owner is not None else None
    customer.pool_entered_at = None
    return was_in_pool
