"""audit: the API.

The audit log is append-only and readable only by auditors and admins."""

from __future__ import annotations

from django.urls import reverse


def test_api_changes_name_the_actor_in_history(world, api_client):
    owner = world.consultants["p1"][0]
    customer = world.customer(world.p1, owner, "秦先生")
    api_client.force_authenticate(owner)
    api_client.patch(
        reverse("api:customer", args=[customer.pk]), {"name": "秦总", "version": 1}, format="json"
    )
    assert customer.history.order_by("-history_date").first().history_user == owner
    assert customer.history.order_by("history_date").first().history_user == owner
