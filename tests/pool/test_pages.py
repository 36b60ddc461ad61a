"""pool: the pages (the HTML door).

The shared pool (公海): reclaim by rule on a frozen clock, claim limits, hand-out, tick."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from anchang.customers.models import Customer
from anchang.errors import ValidationFailed
from anchang.pool.services import pool_claim
from anchang.scheduler.models import TickRun
from tests.conftest import make_user
from tests.pool.helpers import _overrides, _pooled


def _claim_buttons(client, project):
    import re

    page = client.get(reverse("pool:list"), {"project": project.pk}).content.decode()
    return {int(pk) for pk in re.findall(r'data-testid="claim-(\d+)"', page)}, page


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
