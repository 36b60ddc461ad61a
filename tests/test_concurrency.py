"""Two registrations of one phone at the same instant: one customer, nothing lost.

Runs against the real database of the run: a WAL-mode SQLite file (IMMEDIATE transactions,
busy timeout) or the throwaway PostgreSQL server.
"""

from __future__ import annotations

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
        client = APIClient()
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
