"""audit: the pages (the HTML door).

The audit log is append-only and readable only by auditors and admins."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from tests.conftest import make_user


@pytest.mark.parametrize(
    "role, status", [("auditor", 200), ("admin", 200), ("manager", 403), ("consultant", 403)]
)
def test_who_may_read_the_log(world, client, role, status):
    user = world.grant(make_user(f"u-{role}"), role)
    client.force_login(user)
    assert client.get(reverse("audit:list")).status_code == status


def test_export_edit_and_reassign_leave_entries(world, client):
    manager = world.grant(make_user("mgr"), "manager")
    customer = world.customer(world.p1, world.consultants["p1"][0], "吴先生")
    client.force_login(manager)
    client.get(reverse("customers:export"))
    client.post(reverse("customers:edit", args=[customer.pk]), {"name": "吴总", "version": 1})
    client.post(
        reverse("customers:reassign", args=[customer.pk]),
        {"owner": world.consultants["p1"][1].pk, "reason": "离职交接", "version": 2},
    )
    actions = list(
        AuditEntry.objects.filter(actor=manager)
        .exclude(action="login")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["exported", "customer_updated", "customer_reassigned"]
    reassigned = AuditEntry.objects.get(action="customer_reassigned")
    assert reassigned.details["reason"] == "离职交接"
    assert reassigned.project == world.p1
    # the phone number never lands in the log
    assert customer.phone[3:] not in str(list(AuditEntry.objects.values_list("details", flat=True)))


def test_filter_and_bad_filter_input(world, client):
    auditor = world.grant(make_user("aud"), "auditor")
    audit_record(action="login", actor_label="张三")
    audit_record(action="exported", actor_label="李四")
    client.force_login(auditor)
    page = client.get(reverse("audit:list"), {"action": "exported"}).content.decode()
    assert "李四" in page and "张三" not in page
    for bad in (
        {"since": "not-a-date"},
        {"action": "<script>"},
        {"page": "-5"},
        {"actor": "x" * 10000},
    ):
        response = client.get(reverse("audit:list"), bad)
        assert response.status_code == 200, bad
        assert "<script>" not in response.content.decode()


def test_history_keeps_who_changed_what(world, client):
    manager = world.grant(make_user("mgr2"), "manager")
    customer = world.customer(world.p1, world.consultants["p1"][0], "郑女士")
    client.force_login(manager)
    client.post(
        reverse("customers:reassign", args=[customer.pk]),
        {"owner": world.consultants["p1"][1].pk, "reason": "客户要求更换顾问", "version": 1},
    )
    latest = customer.history.order_by("-history_date").first()
    assert latest.history_user == manager
    assert latest.history_change_reason == "客户要求更换顾问"
    assert latest.owner_id == world.consultants["p1"][1].pk
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "客户要求更换顾问" in page


def test_log_opened_without_filters_lists_recent_entries(world, client):
    auditor = world.grant(make_user("aud2"), "auditor")
    audit_record(action="exported", actor_label="周八")
    client.force_login(auditor)
    page = client.get(reverse("audit:list")).content.decode()
    assert "周八" in page
