"""pool: the services.

The shared pool (公海): reclaim by rule on a frozen clock, claim limits, hand-out, tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import strategies as st

from anchang.customers.models import Customer
from anchang.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from anchang.followups.loss.services import loss_apply
from anchang.followups.my_day.selectors import my_day
from anchang.followups.services import followup_record
from anchang.pool import selectors
from anchang.pool.models import PoolEvent
from anchang.pool.rules import PoolRules, reclaim_due
from anchang.pool.services import pool_claim, pool_hand_out
from anchang.scheduler.services import tick
from tests.conftest import make_user
from tests.pool.helpers import _overrides, _pooled

PHONE_TALK = "电话沟通了首付比例和贷款年限，客户周末带家人来看样板间，关注学区"


# naive bounds are what hypothesis wants; the strategy attaches UTC
moments = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=datetime(2027, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@given(owned=moments, reached=st.one_of(st.none(), moments), state=st.sampled_from(
    ["prospect", "no_intent", "subscribed", "owner", "lost"]))  # fmt: skip
def test_reclaim_moment_follows_the_earlier_clock(owned, reached, state):
    conf = PoolRules()
    due = reclaim_due(state=state, owned_since=owned, last_reached_at=reached, conf=conf)
    if state not in ("prospect", "no_intent"):
        assert due is None  # deals and closed customers never return
        return
    contact = max(owned, reached) if reached else owned
    assert due.at == min(contact + timedelta(days=30), owned + timedelta(days=90))
    assert due.rule == ("no_contact" if contact + timedelta(days=30) <= owned + timedelta(days=90)
                        else "no_subscription")  # fmt: skip
    # A contact from before the current owner got the customer never buys them time.
    if reached and reached < owned:
        assert due == reclaim_due(state=state, owned_since=owned, last_reached_at=None, conf=conf)


@pytest.mark.slow
def test_ninety_days_of_reclaims_warnings_claims_and_cooldowns(world, clock):
    c1, c2 = world.consultants["p1"]
    manager = world.grant(make_user("pool-mgr"), "manager")
    silent = world.register(c1, name="没人跟").customer  # never followed up
    unanswered = world.register(c1, name="总不接").customer  # only unanswered calls
    kept = world.register(c1, name="常联系").customer  # reached every 20 days
    deal = world.register(c1, name="已认购").customer
    pending = world.register(c1, name="待审批").customer
    Customer.objects.filter(pk=deal.pk).update(state="subscribed")
    loss_apply(actor=c1, customer=pending, reason="budget")

    reclaimed_on: dict[int, int] = {}  # the first reclaim of each customer
    warned_on: dict[int, int] = {}
    for day in range(1, 91):
        clock.advance(days=1)
        current = Customer.objects.get(pk=unanswered.pk)
        if day % 7 == 0 and current.owner_id == c1.pk:
            followup_record(actor=c1, customer=current, kind="phone", content="未接",
                            reached=False)  # fmt: skip
        if day % 20 == 0:
            current = Customer.objects.get(pk=kept.pk)
            if current.owner_id == c1.pk:
                followup_record(actor=c1, customer=current, kind="phone", content=PHONE_TALK)
        for customer, _due in my_day(c1).pool_warnings:
            warned_on.setdefault(customer.pk, day)
        first = tick()
        second = tick()
        assert second.changes == {}, f"day {day}: the second tick changed {second.changes}"
        for event in PoolEvent.objects.filter(kind="reclaimed", at=clock.now):
            reclaimed_on.setdefault(event.customer_id, day)

        if day == 31:  # the day after the first reclaims: c2 takes the silent customer
            pool_claim(actor=c2, customer=Customer.objects.get(pk=silent.pk))
        if day == 32:  # c1 lost the unanswered one two days ago: must wait out the cooldown
            with pytest.raises(ValidationFailed) as refused:
                pool_claim(actor=c1, customer=Customer.objects.get(pk=unanswered.pk))
            assert refused.value.code == "reclaim_cooldown"
        if day == 37:
            pool_claim(actor=c1, customer=Customer.objects.get(pk=unanswered.pk))
        assert first.error == ""

    # 30 days after registration without a reached contact (unanswered calls do not count)
    assert reclaimed_on[silent.pk] == 30 and reclaimed_on[unanswered.pk] == 30
    assert warned_on[silent.pk] == 28  # the owner was warned two days before
    # reached every 20 days, but no subscription within 90 days of getting the customer
    assert reclaimed_on[kept.pk] == 90
    assert PoolEvent.objects.get(customer=kept, kind="reclaimed").rule == "no_subscription"
    assert deal.pk not in reclaimed_on and pending.pk not in reclaimed_on
    # claimed on day 31, not followed since: back in the pool 30 days later, from c2
    second_reclaim = PoolEvent.objects.filter(customer=silent, kind="reclaimed").order_by("at")
    assert [e.from_owner_id for e in second_reclaim] == [c1.pk, c2.pk]
    assert (second_reclaim[1].at - second_reclaim[0].at).days == 31
    # the history travels with the customer
    assert Customer.objects.get(pk=unanswered.pk).followups.count() >= 4
    assert manager  # managers see every move of their project
    assert len(selectors.pool_events(manager, world.p1, limit=100)) == PoolEvent.objects.count()


def test_a_follow_up_that_reaches_the_customer_stops_the_reclaim(world, clock):
    c1 = world.consultants["p1"][0]
    customer = world.register(c1).customer
    clock.advance(days=29)
    followup_record(actor=c1, customer=Customer.objects.get(pk=customer.pk), kind="phone",
                    content=PHONE_TALK)  # fmt: skip
    clock.advance(days=2)
    assert tick().changes == {}
    clock.advance(days=29)
    assert tick().changes == {"reclaimed_to_pool": 1}


def test_daily_claim_limit_counts_the_projects_local_day(world, clock):
    _overrides(world.p1, daily_claim_limit=2)
    c2 = world.consultants["p1"][1]
    customers = _pooled(world, clock, 3)
    pool_claim(actor=c2, customer=customers[0])
    pool_claim(actor=c2, customer=customers[1])
    with pytest.raises(ValidationFailed) as refused:
        pool_claim(actor=c2, customer=customers[2])
    assert refused.value.code == "daily_claim_limit" and "2" in str(refused.value.message)
    assert Customer.objects.get(pk=customers[2].pk).owner_id is None  # nothing half-done
    clock.advance(days=1)
    pool_claim(actor=c2, customer=customers[2])


def test_hold_cap_and_claim_races(world, clock):
    _overrides(world.p1, max_active_customers=2)
    c1, c2 = world.consultants["p1"]
    customers = _pooled(world, clock, 3, owner=c1)
    world.register(c2)  # c2 already holds one
    pool_claim(actor=c2, customer=customers[0])
    with pytest.raises(ValidationFailed) as refused:
        pool_claim(actor=c2, customer=customers[1])
    assert refused.value.code == "hold_cap"
    other = make_user("p1c3")
    world.grant(other, "consultant")
    with pytest.raises(Conflict):  # someone else got there first
        pool_claim(actor=other, customer=customers[0])


def test_claim_is_for_consultants_of_the_project(world, clock):
    customers = _pooled(world, clock, 1)
    with pytest.raises(NotFound):
        pool_claim(actor=world.consultants["p2"][0], customer=customers[0])


def test_a_claimed_customer_is_due_today_and_keeps_history(world, clock):
    c1, c2 = world.consultants["p1"]
    (customer,) = _pooled(world, clock, 1, owner=c1)
    claimed = pool_claim(actor=c2, customer=customer)
    assert claimed.owner_id == c2.pk and claimed.owned_since == clock.now
    assert claimed.pool_entered_at is None
    assert claimed.pk in [row.pk for row in my_day(c2).due_today]
    assert claimed.registrations.count() == 1
    reasons = list(claimed.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons == [gettext("claimed from the shared pool"),
                       gettext("returned to the shared pool")]  # fmt: skip


def test_registering_a_pooled_customer_hands_them_to_the_registrant(world, clock):
    c1, c2 = world.consultants["p1"]
    (customer,) = _pooled(world, clock, 1, owner=c1)
    result = world.register(c2, phone=customer.phone, name=customer.name)
    result.customer.refresh_from_db()
    assert result.customer.owner_id == c2.pk and result.customer.pool_entered_at is None
    assert PoolEvent.objects.filter(customer=customer, rule="returned", to_owner=c2).exists()


def test_manager_hands_out_all_or_nothing(world, clock):
    _overrides(world.p1, max_active_customers=2)
    c1, c2 = world.consultants["p1"]
    manager = world.grant(make_user("pool-mgr"), "manager")
    customers = _pooled(world, clock, 3, owner=c1)
    with pytest.raises(ValidationFailed) as refused:
        pool_hand_out(actor=manager, customers=customers, to_owner_id=c2.pk)
    assert refused.value.code == "hold_cap"
    assert Customer.objects.filter(owner=c2).count() == 0
    assert pool_hand_out(actor=manager, customers=customers[:2], to_owner_id=c2.pk) == 2
    with pytest.raises(ValidationFailed):
        pool_hand_out(
            actor=manager, customers=customers[2:], to_owner_id=world.consultants["p2"][0].pk
        )
    with pytest.raises(PermissionDenied):
        pool_hand_out(actor=c2, customers=customers[2:], to_owner_id=c2.pk)
    assert PoolEvent.objects.filter(kind="handed_out", actor=manager).count() == 2
