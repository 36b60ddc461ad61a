"""Opening day (开盘): 30 consultants subscribe one unit at the same instant, each their own
customer, through the API on the real database of the run (WAL SQLite or PostgreSQL):
exactly one deal, the others a clear 409, the unit sold once. The same for holds, and for
two clerks recording the last payment at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.urls import reverse

from anchang.deals.models import Deal, Receipt, Unit
from tests.conftest import make_user
from tests.deals.helpers import building, office, subscribe
from tests.system.test_concurrency import _CountedClient

WORKERS = 30


def _race(users, call):
    barrier = threading.Barrier(len(users))

    def one(i):
        client = _CountedClient()
        client.force_authenticate(users[i])
        barrier.wait(timeout=60)
        try:
            response = call(client, i)
            return response.status_code, response.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        return list(pool.map(one, range(len(users))))


@pytest.fixture
def opening(world):
    o = office(world)
    unit = Unit.objects.get(building=building(o), floor=1, position=1)
    consultants = [world.grant(make_user(f"open{i}"), "consultant") for i in range(WORKERS)]
    customers = [world.customer(o.project, c, f"开盘客户{i}") for i, c in enumerate(consultants)]
    return o, unit, consultants, customers


@pytest.mark.django_db(transaction=True)
def test_thirty_subscriptions_of_one_unit_make_one_deal(opening):
    o, unit, consultants, customers = opening
    price = str(unit.standard_price / 100)

    def call(client, i):
        body = {
            "customer": customers[i].pk, "unit": unit.pk, "deal_price": price,
            "payment_method": "full", "deposit": "50000", "idempotency_key": f"k{i}",
        }  # fmt: skip
        return client.post(reverse("api:deals"), body, format="json")

    results = _race(consultants, call)
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == WORKERS - 1, statuses
    assert {body["code"] for status, body in results if status == 409} == {"unit_taken"}
    assert Deal.objects.filter(unit=unit).count() == 1
    assert Unit.objects.get(pk=unit.pk).status == "subscribed"
    winner = Deal.objects.get(unit=unit)
    losers = [c for c in customers if c.pk != winner.customer_id]
    assert all(c.__class__.objects.get(pk=c.pk).state == "prospect" for c in losers)


@pytest.mark.django_db(transaction=True)
def test_thirty_holds_of_one_unit_give_one_hold(opening):
    o, unit, consultants, customers = opening

    def call(client, i):
        return client.post(reverse("api:unit-hold", args=[unit.pk]),
                           {"customer": customers[i].pk}, format="json")  # fmt: skip

    results = _race(consultants, call)
    statuses = sorted(status for status, _ in results)
    assert statuses.count(200) == 1 and statuses.count(409) == WORKERS - 1, statuses
    held = Unit.objects.get(pk=unit.pk)
    assert held.status == "held" and held.held_by_id in {c.pk for c in consultants}


@pytest.mark.django_db(transaction=True)
def test_two_clerks_recording_the_last_payment_at_once_cannot_overpay(world):
    o = office(world)
    unit = Unit.objects.get(building=building(o), floor=1, position=1)
    deal = subscribe(world, o, unit, method="full", deposit="50000")
    clerks = [o.clerk] + [world.grant(make_user(f"clerk{i}"), "clerk") for i in range(5)]

    def call(client, i):
        body = {"amount": "50000", "method": "pos", "voucher": f"V{i}", "idempotency_key": f"r{i}"}
        return client.post(reverse("api:deal-receipts", args=[deal.pk]), body, format="json")

    results = _race(clerks, call)
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 1 and statuses.count(400) == len(clerks) - 1, statuses
    assert sum(Receipt.objects.filter(deal=deal).values_list("amount", flat=True)) == 5_000_000
    assert Deal.objects.get(pk=deal.pk).received_total == 5_000_000
