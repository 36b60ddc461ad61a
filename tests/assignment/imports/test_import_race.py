"""An import and a registration of the same phone at the same instant (CHECKLIST: races
on anything unique), on the real database of the run (WAL SQLite or PostgreSQL): one
customer per phone whoever comes first, both rows kept (one creates, the other returns)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from anchang.assignment.imports import services
from anchang.assignment.models import ImportBatch
from anchang.customers.models import Customer, Registration
from tests.assignment.imports.helpers import xlsx
from tests.conftest import next_phone
from tests.deals.helpers import office
from tests.deals.test_opening_race import _CountedClient

ROWS = 400
RIVALS = 4


@pytest.mark.django_db(transaction=True)
def test_an_import_and_registrations_of_its_phones_at_once_make_one_customer_each(world):
    o = office(world)
    medium = o.project.media.first()
    phones = [next_phone() for _ in range(ROWS)]
    header = ["来电日期", "客户姓名", "性别", "联系电话", "认知途径"]
    rows = [["2026-03-05", f"导入{i}", "男", p, medium.name] for i, p in enumerate(phones)]
    batch = services.import_upload(actor=o.clerk, project=o.project, kind="calls",
                                   file_name="race.xlsx", data=xlsx([header, *rows]))  # fmt: skip
    ImportBatch.objects.filter(pk=batch.pk).update(status="committing", heartbeat_at=timezone.now())
    # The rivals register phones spread over the file: the first, a middle and the last ones.
    contested = [phones[i] for i in (0, ROWS // 3, 2 * ROWS // 3, ROWS - 1)][:RIVALS]
    barrier = threading.Barrier(1 + RIVALS)
    answers: list[int] = []

    def importer():
        barrier.wait(timeout=60)
        try:
            services.import_run(batch.pk)
        finally:
            connection.close()

    def rival(phone):
        client = _CountedClient()
        client.force_authenticate(o.consultant)
        data = {
            "project": o.project.pk, "kind": "call", "name": "抢先", "gender": "m",
            "phone": phone, "medium": medium.pk, "content": "同时来电",
            "occurred_at": timezone.now().isoformat(),
        }  # fmt: skip
        barrier.wait(timeout=60)
        try:
            answers.append(
                client.post(reverse("api:registrations"), data, format="json").status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=importer)] + [
        threading.Thread(target=rival, args=(p,)) for p in contested
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert answers == [201] * RIVALS
    done = ImportBatch.objects.get(pk=batch.pk)
    assert done.status == "done" and done.done == ROWS
    assert sum(done.counts.values()) == ROWS and "invalid" not in done.counts
    assert Customer.objects.filter(project=o.project).count() == ROWS
    for phone in contested:
        customer = Customer.objects.get(project=o.project, phone="+86" + phone)
        assert Registration.objects.filter(customer=customer).count() == 2
        assert customer.call_count == 2
