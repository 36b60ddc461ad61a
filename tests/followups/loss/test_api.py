"""followups/loss: the API.

战败: apply, approve or reject; a lost customer who comes back returns with history."""

from __future__ import annotations

from django.urls import reverse

from anchang.followups.models import LossApplication


def test_pages_and_api(setup, client, api_client):
    _world, c1, customer, manager = setup
    client.force_login(c1)
    url = reverse("followups:loss-apply", args=[customer.pk])
    assert client.post(url, {"reason": "bought_elsewhere"}).status_code == 400
    assert client.post(url, {"reason": "location", "note": "太远"}).status_code == 302
    assert client.get(reverse("followups:loss-queue")).status_code == 403
    client.force_login(manager)
    page = client.get(reverse("followups:loss-queue")).content.decode()
    assert customer.name in page
    application = LossApplication.objects.get()
    response = client.post(reverse("followups:loss-queue"),
                           {"application": application.pk, "decision": "approve"})  # fmt: skip
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.state == "lost"

    api_client.force_authenticate(c1)
    other = _world.register(c1).customer
    created = api_client.post(
        reverse("api:losses"), {"customer": other.pk, "reason": "unreachable"}, format="json"
    )
    assert created.status_code == 201, created.content
    api_client.force_authenticate(manager)
    pk = created.json()["id"]
    rejected = api_client.post(reverse("api:loss-reject", args=[pk]), {"comment": ""},
                               format="json")  # fmt: skip
    assert rejected.status_code == 400 and "comment" in rejected.json()["fields"]
    rejected = api_client.post(reverse("api:loss-reject", args=[pk]), {"comment": "再试试"},
                               format="json")  # fmt: skip
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    api_client.force_authenticate(_world.consultants["p1"][1])
    assert api_client.post(reverse("api:loss-approve", args=[pk]), {},
                           format="json").status_code == 404  # fmt: skip
