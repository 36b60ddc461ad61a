"""Every phone reveal and every export leaves exactly one audit entry (issue 5).

A run of reveals and exports through both doors (pages and API), by a manager and a
consultant, with some refused (no right to the customer, no reason, no export right) and
some over the hourly cap, is then reconciled with the audit log by count and by whom and
which customer: each full number handed out has one `phone_revealed` entry, each refusal
by the cap one `reveal_blocked`, each file one `exported`, and nothing else leaves one.
"""

from __future__ import annotations

from collections import Counter

from django.urls import reverse

from anchang.audit.models import AuditEntry
from anchang.customers.phones import format_phone
from tests.conftest import make_user

CAP = 4


def _reveal(door: str, visitor, customer, reason: str = "客户来电要求回拨") -> bool:
    """One reveal; True when the full number came back."""
    if door == "html":
        url = reverse("customers:reveal", args=[customer.pk])
        response = visitor.post(url, {"reason": reason})
        return response.status_code == 200 and format_phone(customer.phone) in (
            response.content.decode()
        )
    url = reverse("api:customer-reveal-phone", args=[customer.pk])
    response = visitor.post(url, {"reason": reason}, format="json")
    return response.status_code == 200 and response.json() == {"phone": customer.phone}


# Every door that exports customers (door: export in permissions.yaml), each format.
EXPORTS = {
    "html": ("customers:export", "customers:export-xlsx"),
    "api": ("api:customers-export", "api:customers-export-xlsx"),
}


def _export(door: str, visitor, which: int = 0) -> bool:
    response = visitor.get(reverse(EXPORTS[door][which]))
    if response.status_code != 200:
        return False
    b"".join(response.streaming_content if response.streaming else [response.content])
    return True


def test_reveals_and_exports_reconcile_with_the_audit_log(world, client, api_client):
    world.p1.rules_overrides = {"privacy": {"reveals_per_hour": CAP}}
    world.p1.save()
    manager = world.grant(make_user("对账经理"), "manager")
    consultant, colleague = world.consultants["p1"]
    customers = [world.customer(world.p1, colleague, f"对账客户{i}") for i in range(3)]
    mine = world.customer(world.p1, consultant, "自己的客户")
    client.force_login(manager)
    api_client.force_authenticate(manager)
    doors = {"html": client, "api": api_client}

    revealed: Counter = Counter()  # (actor, customer) -> full numbers handed out
    blocked = Counter()
    exported = Counter()
    for i in range(CAP + 3):  # the cap lets CAP through within the hour, then refuses
        door = "html" if i % 2 else "api"
        customer = customers[i % len(customers)]
        if _reveal(door, doors[door], customer):
            revealed[(manager.pk, customer.pk)] += 1
        else:
            blocked[manager.pk] += 1
    assert sum(revealed.values()) == CAP and blocked[manager.pk] == 3
    assert not _reveal("api", api_client, customers[0], reason="")  # no reason: refused
    for door, which in (("html", 0), ("api", 0), ("html", 1), ("api", 1)):
        exported[manager.pk] += _export(door, doors[door], which)
    assert exported[manager.pk] == 4

    consultant_client, consultant_api = client.__class__(), api_client.__class__()
    consultant_client.force_login(consultant)
    consultant_api.force_authenticate(consultant)
    assert not _reveal("api", consultant_api, customers[0])  # a colleague's customer: 404
    assert _reveal("html", consultant_client, mine)
    revealed[(consultant.pk, mine.pk)] += 1
    for which in (0, 1):
        assert not _export("html", consultant_client, which)
        assert not _export("api", consultant_api, which)

    entries = AuditEntry.objects.all()
    by_reveal = Counter(
        (e.actor_id, int(e.object_id)) for e in entries.filter(action="phone_revealed")
    )
    assert by_reveal == revealed
    assert Counter(e.actor_id for e in entries.filter(action="reveal_blocked")) == blocked
    assert Counter(e.actor_id for e in entries.filter(action="exported")) == exported
    assert all(e.details.get("reason") for e in entries.filter(action="phone_revealed"))
