"""How the shared pool's rules hold when customers change hands outside the pool's own
pages (customers/events.py); PoolConfig.ready() subscribes these, so customers, below the
pool, never imports it."""

from __future__ import annotations

from anchang.customers.events import OwnerChange, OwnerChanged, OwnerChanging
from anchang.customers.scope import in_pool
from anchang.pool import services
from anchang.pool.rules import POOL_STATES


def owner_changing(event: OwnerChanging) -> None:
    """A registration takes a pool customer only under the claim rules (cool-down, daily
    limit, hold cap), so registering the phone is no way around them; a reassignment (or a
    conflict decided for the claimant) is held to the hold cap, as a hand-out is."""
    customer = event.customer
    if event.via == OwnerChange.REGISTRATION:
        if in_pool(customer):
            refusal = services.pool_claim_refusal(actor=event.owner, customer=customer)
            if refusal is not None:
                raise refusal
    elif event.via == OwnerChange.REASSIGNMENT:
        adding = 1 if customer.state in POOL_STATES else 0
        services.ensure_hold_cap(event.owner, customer.project, adding=adding)


def owner_changed(event: OwnerChanged) -> None:
    """A pooled customer who calls or walks in again is received by whoever registers them:
    the pool records it (its own moves record theirs)."""
    if event.via == OwnerChange.REGISTRATION and event.was_in_pool:
        services.pool_event_returned(event.customer, event.actor)
