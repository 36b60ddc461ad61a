"""The shared pool (公海): reclaim by rule on a frozen clock, claim limits, hand-out, tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
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
from anchang.scheduler.models import TickRun
from anchang.scheduler.services import tick
from tests.conftest import make_user

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
PHONE_TALK = "电话沟通了首付比例和贷款年限，客户周末带家人来看样板间，关注学区"


class Clock:
    def __init__(self, monkeypatch, start: datetime):
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, START)


def _overrides(project, **values):
    project.rules_overrides = {"pool": values}
    project.save()


def _pooled(world, clock, n: int, owner=None):
    """n customers registered by owner 31 days ago and returned to the pool by the tick."""
    owner = owner or world.consultants["p1"][0]
    customers = [world.register(owner, name=f"公海{i}").customer for i in range(n)]
    clock.advance(days=31)
    tick()
    for c in customers:
        c.refresh_from_db()
        assert c.owner_id is None and c.pool_entered_at is not None
    return customers


# -- the rule, as a pure function ---------------------------------------------------------

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


def test_the_query_agrees_with_the_rule(world, clock):
    c1 = world.consultants["p1"][0]
    customers = [world.register(c1, name=f"客户{i}").customer for i in range(12)]
    for i, customer in enumerate(customers):
        Customer.objects.filter(pk=customer.pk).update(
            owned_since=START - timedelta(days=10 * i),
            last_reached_at=None if i % 3 == 0 else START - timedelta(days=7 * i),
        )
    conf = PoolRules()
    matched = set(
        Customer.objects.filter(selectors.reclaimable_q(conf, clock.now)).values_list(
            "pk", flat=True
        )
    )
    expected = set()
    for customer in Customer.objects.filter(pk__in=[c.pk for c in customers]):
        due = reclaim_due(state=customer.state, owned_since=customer.owned_since,
                          last_reached_at=customer.last_reached_at, conf=conf)  # fmt: skip
        if due and due.at <= clock.now:
            expected.add(customer.pk)
    assert matched == expected and 0 < len(expected) < len(customers)


# -- ninety days on a frozen clock --------------------------------------------------------


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


# -- claiming -----------------------------------------------------------------------------


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


# -- hand-out -----------------------------------------------------------------------------


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


# -- pages and API ------------------------------------------------------------------------


def test_pool_page_masks_phones_and_claims(world, clock, client):
    c1, c2 = world.consultants["p1"]
    (customer,) = _pooled(world, clock, 1, owner=c1)
    Customer.objects.filter(pk=customer.pk).update(name="<script>alert(1)</script>")
    client.force_login(c2)
    page = client.get(reverse("pool:list")).content.decode()
    assert customer.phone[-4:] in page and customer.phone[3:7] not in page.replace(
        customer.phone[-4:], ""
    )
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    response = client.post(reverse("pool:claim", args=[customer.pk]))
    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).owner_id == c2.pk
    # gone from the pool: claiming again is a 404, not a 500
    assert client.post(reverse("pool:claim", args=[customer.pk])).status_code == 404
    assert client.get(reverse("pool:list") + "?project=999999").status_code == 404
    assert client.get(reverse("pool:list") + "?project=abc").status_code == 404


def test_pool_page_refuses_who_has_no_pool(world, client):
    client.force_login(world.grant(make_user("clerk"), "clerk"))
    assert client.get(reverse("pool:list")).status_code == 403


def test_hand_out_page_errors_are_messages(world, clock, client):
    c1, c2 = world.consultants["p1"]
    manager = world.grant(make_user("pool-mgr"), "manager")
    customers = _pooled(world, clock, 2, owner=c1)
    client.force_login(manager)
    url = reverse("pool:hand-out")
    page = client.post(url, {"project": world.p1.pk, "customers": [customers[0].pk]}, follow=True)
    assert "选择本项目的一位顾问" in page.content.decode() or "Choose" in page.content.decode()
    page = client.post(url, {"project": world.p1.pk, "owner": c2.pk}, follow=True)
    assert Customer.objects.filter(owner=c2).count() == 0
    client.post(url, {"project": world.p1.pk, "owner": c2.pk,
                      "customers": [c.pk for c in customers] + ["x", "99999"]})  # fmt: skip
    assert Customer.objects.filter(owner=c2).count() == 0  # a stale id spoils the batch
    client.post(url, {"project": world.p1.pk, "owner": c2.pk, "customers": [customers[0].pk]})
    assert Customer.objects.filter(owner=c2).count() == 1
    client.force_login(c1)
    assert client.post(url, {"project": world.p1.pk, "owner": c1.pk}).status_code == 403


def test_pool_api(world, clock, api_client):
    c1, c2 = world.consultants["p1"]
    manager = world.grant(make_user("pool-mgr"), "manager")
    customers = _pooled(world, clock, 3, owner=c1)
    api_client.force_authenticate(c2)
    body = api_client.get(reverse("api:pool"), {"project": world.p1.pk}).json()
    assert {row["id"] for row in body["results"]} == {c.pk for c in customers}
    assert all("****" in row["phone"] for row in body["results"])
    assert api_client.get(reverse("api:pool"), {"project": "x"}).status_code == 400
    assert api_client.get(reverse("api:pool"), {"project": world.p3.pk}).status_code == 404
    claimed = api_client.post(reverse("api:pool-claim", args=[customers[0].pk]))
    assert claimed.status_code == 200 and claimed.json()["owner"] == c2.pk
    assert api_client.post(reverse("api:pool-claim", args=[customers[0].pk])).status_code == 404
    api_client.force_authenticate(manager)
    url = reverse("api:pool-hand-out")
    for bad in (
        {},
        {"customers": [], "owner": c2.pk},
        {"customers": ["x"], "owner": c2.pk},
        {"customers": [customers[1].pk], "owner": c2.pk, "extra": 1},
        {"customers": [customers[1].pk] * 201, "owner": c2.pk},
        {"customers": [customers[1].pk], "owner": world.consultants["p3"][0].pk},
    ):
        response = api_client.post(url, bad, format="json")
        assert response.status_code == 400, bad
        assert response.json()["message"]
    ok = api_client.post(url, {"customers": [customers[1].pk], "owner": c2.pk}, format="json")
    assert ok.status_code == 200 and ok.json() == {"handed_out": 1}
    api_client.force_authenticate(c1)
    denied = api_client.post(url, {"customers": [customers[2].pk], "owner": c1.pk}, format="json")
    assert denied.status_code in (400, 403)
    assert Customer.objects.get(pk=customers[2].pk).owner_id is None


# -- the tick -----------------------------------------------------------------------------


def test_tick_command_reports_and_the_admin_sees_the_last_run(world, clock, client):
    c1 = world.consultants["p1"][0]
    world.register(c1)
    clock.advance(days=31)
    call_command("tick")
    call_command("tick")
    runs = list(TickRun.objects.order_by("id"))
    assert runs[0].changes == {"reclaimed_to_pool": 1} and runs[-1].changes == {}
    admin = world.grant(make_user("admin"), "admin")
    client.force_login(admin)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="last-tick"' in page and clock.now.astimezone().strftime("%Y") in page
    clock.advance(minutes=10)
    page = client.get(reverse("home")).content.decode()
    assert "anchang tick" in page  # stale: says how to start it


# -- the pool page offers only claims that can succeed -------------------------------------


def _claim_buttons(client, project):
    import re

    page = client.get(reverse("pool:list"), {"project": project.pk}).content.decode()
    return {int(pk) for pk in re.findall(r'data-testid="claim-(\d+)"', page)}, page


@pytest.mark.parametrize("reason", ["hold_cap", "daily_claim_limit", "reclaim_cooldown"])
def test_the_pool_page_hides_a_claim_that_would_be_refused_and_says_why(
    world, clock, client, reason
):
    """For each refusal of the claim service the page shows no button and the service's own
    message; the buttons it does show claim successfully."""
    c1, c2 = world.consultants["p1"]
    pooled = _pooled(world, clock, 3, owner=c1)  # reclaimed from c1: c1 is cooling down
    claimer = {"reclaim_cooldown": c1}.get(reason, c2)
    if reason == "hold_cap":
        world.register(c2, name="手上的客户")
        _overrides(world.p1, max_active_customers=1)
    if reason == "daily_claim_limit":
        _overrides(world.p1, daily_claim_limit=1)
        pool_claim(actor=c2, customer=pooled[2])
        pooled = pooled[:2]
    client.force_login(claimer)
    buttons, page = _claim_buttons(client, world.p1)
    assert buttons.isdisjoint(c.pk for c in pooled)
    with pytest.raises(ValidationFailed) as refused:
        pool_claim(actor=claimer, customer=Customer.objects.get(pk=pooled[0].pk))
    assert refused.value.code == reason
    assert str(refused.value.message) in page  # the service's own words
    # the refusal gone (a wider cap, a new day, the cooldown over), the buttons come back
    # and the one shown claims
    _overrides(world.p1)
    clock.advance(days=8)
    client.force_login(claimer)  # the session ran out over the week
    buttons, page = _claim_buttons(client, world.p1)
    assert pooled[0].pk in buttons, page[page.find("pool-customers") : page.find("pool-events")]
    response = client.post(reverse("pool:claim", args=[pooled[0].pk]))
    assert response.status_code == 302
    assert Customer.objects.get(pk=pooled[0].pk).owner_id == claimer.pk
