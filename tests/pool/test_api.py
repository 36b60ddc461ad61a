"""pool: the API.

The shared pool (公海): reclaim by rule on a frozen clock, claim limits, hand-out, tick."""

from __future__ import annotations

from django.urls import reverse

from anchang.customers.models import Customer
from tests.conftest import make_user
from tests.pool.helpers import _pooled


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
