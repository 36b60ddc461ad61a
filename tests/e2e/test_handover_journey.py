"""Handover in the browser: a consultant leaves with 300 customers; the manager picks three
colleagues on the handover page, reads the preview and confirms; every customer now belongs
to one of the three, balanced, with the history kept. Then a lead from the queue is assigned
on a phone."""

from __future__ import annotations

import pytest

from anchang.audit.models import AuditEntry
from anchang.customers.models import Customer
from anchang.customers.services import customer_create
from anchang.demo.build import DEMO_PASSWORD
from anchang.org.models import Project, Role, User

pytestmark = pytest.mark.e2e


def _staff(project: Project, role: str) -> list[User]:
    return list(
        User.objects.filter(
            memberships__project=project, memberships__role=role, memberships__is_active=True
        ).order_by("pk")
    )


def test_a_manager_hands_a_leavers_300_customers_to_three_colleagues(open_tab, demo):
    project = Project.objects.get(kind="real_estate")
    manager = _staff(project, Role.MANAGER)[0]
    leaver, a, b, c = _staff(project, Role.CONSULTANT)[:4]
    held = Customer.objects.filter(project=project, owner=leaver).count()
    for i in range(300 - held):
        customer_create(actor=leaver, project=project, name=f"交接客户{i}",
                        phone=f"1347{i:07d}", owner=leaver)  # fmt: skip
    book = set(Customer.objects.filter(project=project, owner=leaver).values_list("pk", flat=True))
    assert len(book) == 300

    tab = open_tab("1280", locale="zh-CN")
    page = tab.page
    tab.goto("/")
    tab.login(manager.username, DEMO_PASSWORD)
    tab.goto(f"/assignment/handover/?project={project.pk}")
    page.get_by_test_id("leaver").select_option(str(leaver.pk))
    for person in (a, b, c):
        page.get_by_test_id("takers").locator(f"input[value='{person.pk}']").check()
    page.fill("#id_reason", "离职交接")
    page.get_by_test_id("handover-preview-button").click()
    page.wait_for_load_state("load")
    assert page.get_by_test_id("preview-row").count() == 3
    assert Customer.objects.filter(owner=leaver).count() == 300  # a preview moves nothing
    tab.shot("handover-preview")
    page.get_by_test_id("handover-confirm").click()
    page.wait_for_load_state("load")
    assert not Customer.objects.filter(project=project, owner=leaver).exists()
    owners = Customer.objects.filter(pk__in=book).values_list("owner_id", flat=True)
    assert set(owners) == {a.pk, b.pk, c.pk}
    moved = AuditEntry.objects.filter(action=AuditEntry.Action.CUSTOMER_REASSIGNED,
                                      details__reason="离职交接")  # fmt: skip
    assert moved.count() == 300
    tab.shot("handover-done")

    # a lead from the queue, assigned from a phone
    phone = open_tab("375", locale="zh-CN")
    phone.goto("/")
    phone.login(manager.username, DEMO_PASSWORD)
    phone.goto(f"/assignment/?project={project.pk}")
    leads = Customer.objects.filter(project=project, owner__isnull=True,
                                    pool_entered_at__isnull=True)  # fmt: skip
    lead = leads.order_by("created_at", "id")[0]
    phone.page.locator(f"input[name=customers][value='{lead.pk}']").check()
    phone.page.get_by_test_id("takers").locator(f"input[value='{a.pk}']").check()
    phone.page.fill("#id_reason", "线上线索")
    phone.page.get_by_test_id("assign-submit").click()
    phone.page.wait_for_load_state("load")
    assert Customer.objects.get(pk=lead.pk).owner_id == a.pk
    phone.shot("assignment-queue")
