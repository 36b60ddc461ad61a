"""The shared pool's clocks (docs/domain.md#pool), as pure functions of a customer's dates.

A customer still in play (prospect or no intent) returns to the pool when the current owner
has not reached them for N days (an unanswered call does not count), or has held them for M
days without a subscription. Both clocks start when the current owner got the customer, so a
claimed customer is not reclaimed the minute after. Customers with a deal never return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from django.utils.translation import gettext as _
from pydantic import Field

from anchang.org.rules import RuleSection, Section


class PoolRules(Section):
    """公海: reclaim and claim limits."""

    reclaim_after_days_without_contact: int = Field(30, ge=1, le=3650)
    reclaim_after_days_without_subscription: int = Field(90, ge=1, le=3650)
    warn_days_before: int = Field(2, ge=0, le=30)
    daily_claim_limit: int = Field(10, ge=0, le=1000)
    max_active_customers: int = Field(200, ge=1, le=100000)
    reclaim_cooldown_days: int = Field(7, ge=0, le=365)


# This app's section of the project rules (org.rules), registered in apps.py.
RULE_SECTIONS = (RuleSection(key="pool", model=PoolRules, order=40),)

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


# Who may take one more customer: the claim service raises these and the pool page hides a
# claim button for them, from the same functions (one rule, one place).
@dataclass(frozen=True)
class Refusal:
    code: str  # anchang.pool.errors.Code
    message: str


def hold_cap_refusal(*, owner: str, held: int, adding: int, conf: PoolRules) -> Refusal | None:
    """The hold cap (持有上限): customers still in play one consultant may hold."""
    if held + adding <= conf.max_active_customers:
        return None
    return Refusal(
        "hold_cap",
        _("%(name)s already holds %(held)d active customers (limit %(limit)d).")
        % {"name": owner, "held": held, "limit": conf.max_active_customers},
    )


def daily_claim_refusal(*, taken: int, adding: int, conf: PoolRules) -> Refusal | None:
    if taken + adding <= conf.daily_claim_limit:
        return None
    return Refusal(
        "daily_claim_limit",
        _("You have claimed %(taken)d of %(limit)d customers today; try again tomorrow.")
        % {"taken": taken, "limit": conf.daily_claim_limit},
    )


def cooldown_refusal(
    *, reclaimed_at: datetime | None, now: datetime, conf: PoolRules, tz: tzinfo
) -> Refusal | None:
    """Whoever lost the customer to the pool waits out the cooldown before claiming back."""
    if reclaimed_at is None:
        return None
    allowed = reclaimed_at + timedelta(days=conf.reclaim_cooldown_days)
    if allowed <= now:
        return None
    return Refusal(
        "reclaim_cooldown",
        _("This customer was taken back from you; you may claim them again from %(day)s.")
        % {"day": allowed.astimezone(tz).strftime("%Y-%m-%d %H:%M")},
    )
