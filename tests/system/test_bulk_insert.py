"""anchang.bulk.insert_rows writes what save() would: every column prepared by its field
when it is not a plain value (dates, JSON, decimals, auto_now), ids set in row order, keys
of objects saved just before; on the run's database (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from anchang.bulk import insert_rows
from anchang.customers.models import Customer, CustomerPhone
from tests.conftest import next_phone


def test_rows_read_back_as_saved_ones_do(world):
    project, owner = world.p1, world.consultants["p1"][0]
    now = timezone.now()
    made = [
        Customer(project=project, owner=owner if i % 2 else None, name=f"批量{i}", gender="f",
                 phone="+86" + next_phone(), created_by=owner, birthday=date(1990, 1, 1 + i),
                 grade_checks={"budget": True, "i": i}, budget_max=300 + i,
                 last_contact_at=now - timedelta(days=i), name_pinyin="pl", name_initials="p",
                 phone_last4="0000")
        for i in range(5)
    ]  # fmt: skip
    insert_rows(Customer, made)
    assert [c.pk for c in made] == sorted(c.pk for c in made)  # ids in row order
    insert_rows(CustomerPhone, [CustomerPhone(project=project, customer=c, phone=c.phone)
                                for c in made])  # fmt: skip
    for i, c in enumerate(made):
        back = Customer.objects.get(pk=c.pk)
        assert (back.name, back.owner_id, back.birthday) == (
            c.name,
            c.owner_id,
            date(1990, 1, 1 + i),
        )
        assert back.grade_checks == {"budget": True, "i": i} and back.budget_max == 300 + i
        assert back.last_contact_at == now - timedelta(days=i)
        assert back.created_at is not None and back.updated_at is not None  # auto_now(_add)
        assert back.phones.get().phone == c.phone
