"""Two registrations of one phone at the same instant: one customer, nothing lost.

Runs against the real database of the run: a WAL-mode SQLite file (IMMEDIATE transactions,
busy timeout) or the throwaway PostgreSQL server.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from anchang.customers.models import Customer, CustomerPhone, OwnershipConflict, Registration
from tests.conftest import make_user

WORKERS = 20


class _CountedClient(APIClient):
    """An API client that counts the requests sent: the scoreboard's "concurrent attempts"
    figure is the sum each test records (scripts/reliability.py)."""

    sent = [0]
    lock = threading.Lock()

    def request(self, **kwargs):
        with self.lock:
            self.sent[0] += 1
        return super().request(**kwargs)


@pytest.fixture(autouse=True)
def _record_attempts(record_property):
    _CountedClient.sent[0] = 0
    yield
    record_property("attempts", _CountedClient.sent[0])


def _post_all(world, consultants, phone, *, key=None):
    barrier = threading.Barrier(WORKERS)
    payload = {
        "project": world.p1.pk,
        "kind": "call",
        "name": "开盘客户",
        "gender": "f",
        "phone": phone,
        "medium": world.medium(world.p1).pk,
        "content": "开盘当天来电，询问剩余房源",
        "occurred_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
    }

    def one(i):
        client = _CountedClient()
        client.force_authenticate(consultants[i % len(consultants)])
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        barrier.wait(timeout=30)
        try:
            response = client.post(reverse("api:registrations"), payload, format="json", **headers)
            return response.status_code, response.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(one, range(WORKERS)))


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_registrations_of_one_phone(world):
    consultants = list(world.consultants["p1"]) + [
        world.grant(make_user(f"extra{i}"), "consultant") for i in range(2)
    ]
    results = _post_all(world, consultants, "13912340000")
    statuses = [status for status, _body in results]
    assert statuses == [201] * WORKERS, results
    outcomes = [body["outcome"] for _status, body in results]
    assert outcomes.count("new_customer") == 1
    assert set(outcomes) <= {"new_customer", "return", "conflict"}
    assert Customer.objects.filter(project=world.p1).count() == 1
    assert CustomerPhone.objects.filter(phone="+8613912340000").count() == 1
    assert Registration.objects.count() == WORKERS  # every registration kept
    customer = Customer.objects.get()
    conflicts = outcomes.count("conflict")
    assert OwnershipConflict.objects.count() == conflicts
    mine = Registration.objects.filter(consultant=customer.owner).count()
    assert customer.call_count == mine  # only the owner's contacts count on the card


@pytest.mark.django_db(transaction=True)
def test_double_submit_with_one_key_is_one_record(world):
    consultant = world.consultants["p1"][0]
    results = _post_all(world, [consultant], "13912340001", key="same-tap")
    assert all(status == 201 for status, _body in results), results
    assert Registration.objects.count() == 1
    assert len({body["registration"] for _status, body in results}) == 1


def _at_once(calls):
    """Run the calls in threads released together; each closes its connection after."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=30)
        try:
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _api(user):
    client = _CountedClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_consultants_claiming_one_pool_customer_at_once_make_one_owner(world):
    from anchang.pool.models import PoolEvent
    from anchang.pool.services import pool_reclaim_due

    first = world.consultants["p1"][0]
    customer = world.register(first, name="公海客户").customer
    Customer.objects.filter(pk=customer.pk).update(
        owned_since=timezone.now() - timedelta(days=120), last_reached_at=None
    )
    assert pool_reclaim_due() == 1
    claimers = [world.grant(make_user(f"claimer{i}"), "consultant") for i in range(8)]
    url = reverse("api:pool-claim", args=[customer.pk])
    results = _at_once([lambda u=u: _api(u).post(url).status_code for u in claimers])
    assert results.count(200) == 1, results
    assert set(results) <= {200, 404, 409}, results  # the others: taken already
    customer.refresh_from_db()
    assert customer.owner_id == claimers[results.index(200)].pk
    assert PoolEvent.objects.filter(customer=customer, kind="claimed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_contended_edits_of_one_customer_lose_nothing_and_stale_writes_get_409(world):
    owner = world.consultants["p1"][0]
    customer = world.register(owner, name="改名前").customer
    url = reverse("api:customer", args=[customer.pk])
    version = customer.version

    def edit(i):
        body = {"version": version, "name": f"改名{i}"}
        return _api(owner).patch(url, body, format="json").status_code

    results = _at_once([lambda i=i: edit(i) for i in range(10)])
    assert results.count(200) == 1 and results.count(409) == 9, results
    customer.refresh_from_db()
    assert customer.version == version + 1
    assert customer.name == f"改名{results.index(200)}"  # the winner's write, whole


REVEALS_AT_ONCE = 8


@pytest.mark.django_db(transaction=True)
def test_reveals_at_once_stop_at_the_cap(world):
    """Eight reveals by one manager at the same instant, three left under the hourly cap:
    three numbers shown, five refused, each with its one audit entry."""
    from anchang.audit.models import AuditEntry

    world.p1.rules_overrides = {"privacy": {"reveals_per_hour": 3}}
    world.p1.save()
    manager = world.grant(make_user("mgr-race"), "manager")
    customer = world.register(world.consultants["p1"][0], name="来电客户").customer
    url = reverse("api:customer-reveal-phone", args=[customer.pk])
    reveal = lambda: _api(manager).post(url, {"reason": "客户要求回电"}, format="json")  # noqa: E731
    results = _at_once([lambda: reveal().status_code for _ in range(REVEALS_AT_ONCE)])
    assert sorted(results) == [200] * 3 + [429] * (REVEALS_AT_ONCE - 3), results
    audit = AuditEntry.objects.filter(actor=manager)
    assert audit.filter(action="phone_revealed").count() == 3
    assert audit.filter(action="reveal_blocked").count() == REVEALS_AT_ONCE - 3


@pytest.mark.django_db(transaction=True)
def test_marketing_messages_at_once_stop_at_the_weekly_cap(world):
    """Eight marketing SMS to one customer at the same instant (a manager, the consultant and
    the care specialist at once), two allowed a week: two queued, six refused."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from anchang.care.models import Message
    from tests.care.helpers import care_office

    c = care_office(world)
    tomorrow = timezone.now().astimezone(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)
    at = datetime.combine(tomorrow, time(10), tzinfo=ZoneInfo("Asia/Shanghai")).isoformat()
    url = reverse("api:customer-messages", args=[c.customer.pk])
    senders = [c.consultant, c.manager, c.specialist, c.consultant] * 2

    def send(i):
        body = {"template": c.marketing.pk, "send_at": at, "idempotency_key": f"race-{i}"}
        response = _api(senders[i]).post(url, body, format="json")
        return response.status_code, response.json().get("code")

    results = _at_once([lambda i=i: send(i) for i in range(len(senders))])
    assert sorted(results, key=str) == sorted(
        [(201, None)] * 2 + [(400, "weekly_cap")] * 6, key=str
    ), results
    assert Message.objects.filter(customer=c.customer).count() == 2


# make test: 16 workers x 12 phones; `make reliability` sets 200 (the figure).
SURGE_PHONES = int(os.environ.get("ANCHANG_SURGE_PHONES", "12"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_sixteen_workers_registering_the_same_phones_make_one_owner_each(world):
    """Every worker registers every phone of the list, in its own order: a grand opening
    where the same callers reach several desks. Nobody sees an error, no phone gets two
    customers, every registration is kept."""
    import random

    workers = 16
    consultants = [world.grant(make_user(f"desk{i}"), "consultant") for i in range(workers)]
    phones = [f"1391{i:07d}" for i in range(SURGE_PHONES)]
    medium = world.medium(world.p1).pk
    occurred = (timezone.now() - timedelta(minutes=1)).isoformat()

    def desk(i):
        client, order, statuses = _api(consultants[i]), phones[:], []
        random.Random(i).shuffle(order)
        for phone in order:
            body = {"project": world.p1.pk, "kind": "call", "name": "开盘客户", "gender": "f",
                    "phone": phone, "medium": medium, "content": "开盘当天来电，询问剩余房源",
                    "occurred_at": occurred}  # fmt: skip
            statuses.append(client.post(reverse("api:registrations"), body, format="json"))
        return [r.status_code for r in statuses]

    results = _at_once([lambda i=i: desk(i) for i in range(workers)])
    flat = [status for statuses in results for status in statuses]
    assert flat == [201] * (workers * SURGE_PHONES), sorted(set(flat))
    assert Registration.objects.count() == workers * SURGE_PHONES
    assert CustomerPhone.objects.filter(project=world.p1).count() == SURGE_PHONES
    owners = Customer.objects.filter(project=world.p1).values_list("owner_id", flat=True)
    assert len(owners) == SURGE_PHONES and None not in owners  # one owner per phone


CAPPED_AT_ONCE = 8


@pytest.mark.django_db(transaction=True)
def test_full_number_searches_at_once_stop_at_the_cap(world):
    """Eight searches by full number at the same instant, three left under the hourly cap:
    three answered, five refused, each with its one audit entry."""
    from anchang.audit.models import AuditEntry

    world.p1.rules_overrides = {"privacy": {"phone_searches_per_hour": 3}}
    world.p1.save()
    owner = world.consultants["p1"][0]
    customer = world.register(owner, name="来电客户").customer
    search = lambda: _api(owner).get(reverse("api:customers"), {"q": customer.phone})  # noqa: E731
    results = _at_once([lambda: search().status_code for _ in range(CAPPED_AT_ONCE)])
    assert sorted(results) == [200] * 3 + [429] * (CAPPED_AT_ONCE - 3), results
    audit = AuditEntry.objects.filter(actor=owner)
    assert audit.filter(action="phone_searched").count() == 3
    assert audit.filter(action="phone_search_blocked").count() == CAPPED_AT_ONCE - 3


@pytest.mark.django_db(transaction=True)
def test_list_pages_at_once_stop_at_the_daily_read_cap(world):
    """A planner (no export right) reads pages of 2 customers, 8 at once, with room for 3
    pages under the daily cap: three pages served, five refused, the count never past it."""
    from anchang.audit.models import AuditEntry, DailyReadCount

    world.p1.rules_overrides = {"privacy": {"list_rows_per_day": 6}}
    world.p1.save()
    owner = world.consultants["p1"][0]
    for i in range(4):
        world.customer(world.p1, owner, f"客户{i}")
    planner = world.grant(make_user("planner-race"), "planner")
    page = lambda: _api(planner).get(reverse("api:customers"), {"page_size": 2})  # noqa: E731
    results = _at_once([lambda: page().status_code for _ in range(CAPPED_AT_ONCE)])
    assert sorted(results) == [200] * 3 + [429] * (CAPPED_AT_ONCE - 3), results
    assert DailyReadCount.objects.get(user=planner).rows == 6
    audit = AuditEntry.objects.filter(actor=planner)
    assert audit.filter(action="list_read").count() == 3
    assert audit.filter(action="list_read_blocked").count() == CAPPED_AT_ONCE - 3


FOLLOWUP_TAPS = 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("door", ["api-header", "api-field", "form"])
def test_simultaneous_followups_with_one_key_are_one_record(world, door):
    """A double tap (or a retry) of one follow-up, eight at once through either door with one
    idempotency key: one follow-up, and every answer names it."""
    from anchang.followups.models import FollowUp

    owner = world.consultants["p1"][0]
    customer = world.register(owner, name="连点客户").customer
    version = Customer.objects.get(pk=customer.pk).version
    note = "电话沟通了首付比例和贷款年限，客户说下周六带父母再来看样板间，重点关心学区和交房时间"
    body = {"kind": "phone", "content": note}

    def tap():
        client = _CountedClient()
        if door == "form":
            client.force_login(owner)
            url = reverse("followups:new", args=[customer.pk])
            data = {**body, "reached": "yes", "idempotency_key": "tap-form-1"}
            response = client.post(url, data)
            assert response.status_code == 302, response.content[:500]
            return None
        client.force_authenticate(owner)
        data = {**body, "customer": customer.pk}
        headers = {"HTTP_IDEMPOTENCY_KEY": "tap-api-1"} if door == "api-header" else {}
        if door == "api-field":
            data["idempotency_key"] = "tap-api-1"
        response = client.post(reverse("api:followups"), data, format="json", **headers)
        assert response.status_code == 201, response.content[:500]
        return response.json()["id"]

    ids = _at_once([tap] * FOLLOWUP_TAPS)
    assert FollowUp.objects.filter(customer=customer).count() == 1
    if door != "form":
        assert set(ids) == {FollowUp.objects.get(customer=customer).pk}
    # The customer moved once too: one follow-up, one version step.
    assert Customer.objects.get(pk=customer.pk).version == version + 1
