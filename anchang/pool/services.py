"""The shared pool (公海): reclaim by rule, claim under limits, hand out by a manager.

Every move is a PoolEvent naming its rule; the customer's history (follow-ups, visits,
grades) stays with the customer whoever owns them next."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.customers import policies as customer_policies
from anchang.customers.events import OwnerChange
from anchang.customers.models import Customer
from anchang.customers.services.ownership import owner_set
from anchang.dates import local_date
from anchang.errors import Conflict, NotFound, ValidationFailed
from anchang.org.models import Project, User
from anchang.org.selectors import project_owners, project_rules
from anchang.pool import policies, rules, selectors
from anchang.pool.errors import Code
from anchang.pool.models import PoolEvent

RECLAIM_BATCH = 500
HAND_OUT_MAX = 200


def _raise(refusal: rules.Refusal | None) -> None:
    if refusal is not None:
        raise ValidationFailed(refusal.message, code=refusal.code)


def ensure_hold_cap(owner: User, project: Project, *, adding: int) -> None:
    """The hold cap on every path that gives a consultant customers still in play: claim,
    hand-out, reassignment, a conflict decided for the claimant. A manager who needs an
    exception raises the project's cap (recorded), not the cap for one customer."""
    if adding <= 0:
        return
    _raise(
        rules.hold_cap_refusal(
            owner=str(owner), held=selectors.held_count(owner, project), adding=adding,
            conf=project_rules(project).pool,
        )
    )  # fmt: skip


def _ensure_limits(owner: User, project: Project, *, adding: int, claiming: bool, now) -> None:
    if claiming:
        taken = selectors.claims_today(owner, project, now)
        _raise(rules.daily_claim_refusal(taken=taken, adding=adding,
                                         conf=project_rules(project).pool))  # fmt: skip
    ensure_hold_cap(owner, project, adding=adding)


def _take_from_pool(customer: Customer, owner: User, *, actor: User, now: datetime) -> None:
    owner_set(customer, owner, now, actor=actor, via=OwnerChange.POOL)
    # A customer just taken is called today, not on a date set by the previous owner.
    customer.next_follow_up_on = local_date(project_rules(customer.project).tz, now)
    customer.version += 1
    customer._history_user = actor


def _ensure_may_claim(actor: User, customer: Customer, now: datetime) -> None:
    """The claim rules: the previous owner's cool-down, the daily claim limit, the hold cap."""
    project_conf = project_rules(customer.project)
    reclaimed = selectors.last_reclaim_from(customer, actor)
    _raise(
        rules.cooldown_refusal(
            reclaimed_at=reclaimed.at if reclaimed else None, now=now, conf=project_conf.pool,
            tz=project_conf.tz,
        )
    )  # fmt: skip
    _ensure_limits(actor, customer.project, adding=1, claiming=True, now=now)


def pool_claim_refusal(*, actor: User, customer: Customer) -> ValidationFailed | None:
    """Why `actor` may not take this pool customer now, or None. A registration that finds a
    pool customer asks this, so registering the phone is no way around the claim rules."""
    # One taker at a time per person, as for a claim, so the daily limit holds.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    try:
        _ensure_may_claim(actor, customer, timezone.now())
    except ValidationFailed as refusal:
        return refusal
    return None


@transaction.atomic
def pool_claim(*, actor: User, customer: Customer) -> Customer:
    """A consultant takes a customer from the pool, within the daily limit and the hold cap;
    the owner it was reclaimed from waits out the cooldown."""
    now = timezone.now()
    project = customer.project
    if not policies.can_claim_from_pool(actor=actor, project=project):
        raise NotFound()
    # One claim at a time per person, so two tabs cannot both pass the daily limit.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    current = Customer.objects.select_for_update().get(pk=customer.pk)
    if current.owner_id is not None or current.pool_entered_at is None:
        raise Conflict(_("Someone else has just taken this customer."), code=Code.NOT_IN_POOL)
    _ensure_may_claim(actor, current, now)
    _take_from_pool(current, actor, actor=actor, now=now)
    current._change_reason = _("claimed from the shared pool")
    current.save()
    PoolEvent.objects.create(
        customer=current, project=project, kind=PoolEvent.Kind.CLAIMED,
        rule=PoolEvent.Rule.CLAIM, actor=actor, to_owner=actor, at=now,
    )  # fmt: skip
    return current


@transaction.atomic
def pool_hand_out(
    *,
    actor: User,
    customers: list[Customer],
    to_owner_id: int,
) -> int:
    """A manager gives pool customers to a consultant of the project (all or none); the hold
    cap still applies, the daily claim limit and the cooldown do not (a manager decided)."""
    if not customers:
        raise ValidationFailed(fields={"customers": _("Choose at least one customer.")})
    if len(customers) > HAND_OUT_MAX:
        raise ValidationFailed(
            fields={"customers": _("At most %(n)d at a time.") % {"n": HAND_OUT_MAX}}
        )
    projects = {c.project_id for c in customers}
    if len(projects) != 1:
        raise ValidationFailed(fields={"customers": _("Choose customers of one project.")})
    project = customers[0].project
    for customer in customers:
        customer_policies.ensure_can_reassign_customer(actor=actor, customer=customer)
    owner = project_owners(project).filter(pk=to_owner_id).first()
    if owner is None:
        raise ValidationFailed(fields={"owner": _("Choose a consultant of this project.")})
    now = timezone.now()
    locked = list(
        Customer.objects.select_for_update().filter(pk__in=[c.pk for c in customers]).order_by("pk")
    )
    if any(c.owner_id is not None or c.pool_entered_at is None for c in locked):
        raise Conflict(
            _("Some of these customers have just been taken; reload the pool."),
            code=Code.NOT_IN_POOL,
        )
    _ensure_limits(owner, project, adding=len(locked), claiming=False, now=now)
    for current in locked:
        _take_from_pool(current, owner, actor=actor, now=now)
        current._change_reason = _("handed out from the shared pool")
        current.save()
    PoolEvent.objects.bulk_create(
        PoolEvent(customer=c, project=project, kind=PoolEvent.Kind.HANDED_OUT,
                  rule=PoolEvent.Rule.HAND_OUT, actor=actor, to_owner=owner, at=now)
        for c in locked
    )  # fmt: skip
    audit_record(
        action=AuditEntry.Action.CUSTOMER_REASSIGNED, actor=actor, project=project,
        details={"from_pool": True, "to": owner.pk, "customers": [c.pk for c in locked]},
    )  # fmt: skip
    return len(locked)


def pool_event_returned(customer: Customer, actor: User) -> None:
    """A pooled customer who calls or walks in again is received by whoever registers them."""
    PoolEvent.objects.create(
        customer=customer, project_id=customer.project_id, kind=PoolEvent.Kind.CLAIMED,
        rule=PoolEvent.Rule.RETURNED, actor=actor, to_owner=actor, at=timezone.now(),
    )  # fmt: skip


def pool_reclaim_due(now: datetime | None = None) -> int:
    """Return every customer whose clock has run out to the pool (the tick calls this).
    Idempotent: a reclaimed customer has no owner, so a second run finds nothing."""
    now = now or timezone.now()
    moved = 0
    for project in Project.objects.filter(is_active=True):
        conf = project_rules(project).pool
        due = Customer.objects.filter(project=project).filter(selectors.reclaimable_q(conf, now))
        while ids := list(due.values_list("pk", flat=True)[:RECLAIM_BATCH]):
            moved += _reclaim_batch(project, ids, now)
    return moved


@transaction.atomic
def _reclaim_batch(project: Project, ids: list[int], now: datetime) -> int:
    conf = project_rules(project).pool
    batch = list(
        Customer.objects.select_for_update()
        .filter(pk__in=ids)
        .filter(selectors.reclaimable_q(conf, now))  # re-checked under the lock
        .order_by("pk")
    )
    events = []
    for customer in batch:
        due = rules.reclaim_due(
            state=customer.state, owned_since=customer.owned_since,
            last_reached_at=customer.last_reached_at, conf=conf,
        )  # fmt: skip
        rule = due.rule if due else PoolEvent.Rule.NO_CONTACT
        events.append(
            PoolEvent(customer=customer, project=project, kind=PoolEvent.Kind.RECLAIMED,
                      rule=rule, from_owner_id=customer.owner_id, at=now)
        )  # fmt: skip
        owner_set(customer, None, now, actor=None, via=OwnerChange.POOL)
        customer.pool_entered_at = now
        customer.updated_at = now  # bulk_update skips auto_now
        customer.version += 1
    if not batch:
        return 0
    bulk_update_with_history(
        batch, Customer, ["owner", "owned_since", "pool_entered_at", "version", "updated_at"],
        default_change_reason=_("returned to the shared pool"), default_date=now,
    )  # fmt: skip
    PoolEvent.objects.bulk_create(events)
    return len(batch)
