"""One rule, every door: the pool's hold cap (持有上限) binds every path that gives a
consultant a customer still in play — a claim, a hand-out, a reassignment (page and API), an
ownership conflict decided for the claimant. Each path is tried twice for one consultant
under a cap of 2 who holds 1: the first gives them a customer (the path works), the second
is refused with the cap's message and changes no owner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from anchang.customers.models import Customer, OwnershipConflict
from anchang.pool import selectors
from anchang.scheduler.services import tick
from tests.conftest import make_user

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CAP = 2


@pytest.fixture
def office(world, monkeypatch):
    now = [START]
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    c1, c2 = world.consultants["p1"]
    pooled = [world.register(c1, name=f"公海{i}").customer for i in range(2)]
    now[0] += timedelta(days=31)
    tick()  # the two return to the pool
    world.p1.rules_overrides = {"pool": {"max_active_customers": CAP}}
    world.p1.save()
    world.register(c2, name="已有客户")  # c2 holds 1 of 2
    manager = world.grant(make_user("m1"), "manager")
    owned = [world.register(c1, name=f"王{i}").customer for i in range(2)]
    return world, c1, c2, manager, pooled, owned


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _page(client, user):
    client.force_login(user)
    return client


def claim_api(o, client, i):
    _world, _c1, c2, _m, pooled, _owned = o
    response = _api(c2).post(reverse("api:pool-claim", args=[pooled[i].pk]))
    return pooled[i], response.json().get("message", "")


def claim_page(o, client, i):
    _world, _c1, c2, _m, pooled, _owned = o
    response = _page(client, c2).post(reverse("pool:claim", args=[pooled[i].pk]))
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    return pooled[i], text


def hand_out_api(o, client, i):
    _world, _c1, c2, manager, pooled, _owned = o
    body = {"customers": [pooled[i].pk], "owner": c2.pk}
    response = _api(manager).post(reverse("api:pool-hand-out"), body, format="json")
    return pooled[i], response.json().get("message", "")


def hand_out_page(o, client, i):
    world, _c1, c2, manager, pooled, _owned = o
    body = {"customers": [pooled[i].pk], "owner": c2.pk, "project": world.p1.pk}
    response = _page(client, manager).post(reverse("pool:hand-out"), body)
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    return pooled[i], text


def reassign_api(o, client, i):
    _world, _c1, c2, manager, _pooled, owned = o
    body = {"owner": c2.pk, "reason": "原顾问休假，转给同事跟进"}
    response = _api(manager).post(
        reverse("api:customer-reassign", args=[owned[i].pk]), body, format="json"
    )
    return owned[i], response.json().get("message", "")


def reassign_page(o, client, i):
    _world, _c1, c2, manager, _pooled, owned = o
    current = Customer.objects.get(pk=owned[i].pk)
    body = {"owner": c2.pk, "reason": "原顾问休假，转给同事跟进", "version": current.version}
    response = _page(client, manager).post(reverse("customers:reassign", args=[current.pk]), body)
    return owned[i], response.content.decode()


def conflict_decision(o, client, i):
    world, _c1, c2, manager, _pooled, owned = o
    assert world.register(c2, phone=owned[i].phone).outcome == "conflict"
    conflict = OwnershipConflict.objects.get(customer=owned[i], status="open")
    body = {"decision": "transferred", "note": ""}
    url = reverse("customers:conflict-resolve", args=[conflict.pk])
    response = _page(client, manager).post(url, body)
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    conflict.refresh_from_db()
    return owned[i], text


def registering_a_pooled_customer(o, client, i):
    world, _c1, c2, _m, pooled, _owned = o
    response = _api(c2).post(reverse("api:registrations"), {
        "project": world.p1.pk, "kind": "call", "name": "回头客", "gender": "m",
        "phone": pooled[i].phone, "medium": world.medium(world.p1).pk,
        "content": "老客户再次来电，询问剩余房源", "occurred_at": timezone.now().isoformat(),
    }, format="json")  # fmt: skip
    return pooled[i], response.content.decode()


PATHS = [claim_api, claim_page, hand_out_api, hand_out_page, reassign_api, reassign_page,
         conflict_decision]  # fmt: skip
PATHS.append(registering_a_pooled_customer)  # a registration applies the claim rules


@pytest.mark.parametrize("give", PATHS, ids=[p.__name__ for p in PATHS])
def test_the_hold_cap_holds_on_every_path_to_a_customer(office, client, give):
    world, c1, c2, _manager, _pooled, _owned = office
    first, text = give(office, client, 0)
    assert Customer.objects.get(pk=first.pk).owner_id == c2.pk, text[:2000]
    assert selectors.held_count(c2, world.p1) == CAP
    second, text = give(office, client, 1)
    assert Customer.objects.get(pk=second.pk).owner_id != c2.pk
    assert selectors.held_count(c2, world.p1) == CAP
    # the refusal says why, in the reader's language
    assert f"（上限 {CAP} 位）" in text, text[:2000]
