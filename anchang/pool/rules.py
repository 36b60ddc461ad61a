"""The shared pool's clocks (DOMAIN.md §5), as pure functions of a customer's dates.

A customer still in play (prospect or no intent) returns to the pool when the current owner
has not reached them for N days (an unanswered call does not count), or has held them for M
days without a subscription. Both clocks start when the current owner got the customer, so a
claimed customer is not reclaimed the minute after. Customers with a deal never return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from anchang.org.rules import PoolRules

# Still in play: a deal (subscribed, owner) is never reclaimed, a lost customer is closed.
POOL_STATES = ("prospect", "no_intent")


@dataclass(frozen=True)
class Reclaim:
    at: datetime  # the moment the customer returns to the pool
    rule: str  # "no_contact" or "no_subscription"


def reclaim_due(
    *, state: str, owned_since: datetime | None, last_reached_at: datetime | None, conf: PoolRules
) -> Reclaim | None:
    """When (and by which rule) an owned customer returns to the pool; None if never."""
    if state not in POOL_STATES or owned_since is None:
        return None
    contact_clock = max(owned_since, last_reached_at) if last_reached_at else owned_since
    no_contact = contact_clock + timedelta(days=conf.reclaim_after_days_without_contact)
    no_subscription = owned_since + timedelta(days=conf.reclaim_after_days_without_subscription)
    if no_contact <= no_subscription:
        return Reclaim(no_contact, "no_contact")
    return Reclaim(no_subscription, "no_subscription")


def cutoffs(now: datetime, conf: PoolRules, ahead: timedelta = timedelta(0)) -> dict[str, datetime]:
    """The latest owned-since / reached moments that are due by now + ahead, per rule; the
    selectors turn these into indexed filters equal to reclaim_due(...).at <= now + ahead."""
    moment = now + ahead
    return {
        "no_contact": moment - timedelta(days=conf.reclaim_after_days_without_contact),
        "no_subscription": moment - timedelta(days=conf.reclaim_after_days_without_subscription),
    }
