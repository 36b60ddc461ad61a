"""customers: the shared fixtures."""

from __future__ import annotations

import pytest

from anchang.customers.models import Customer


@pytest.fixture
def graded(world):
    """p1 (real estate, ABCD): one customer per grade and one not graded yet."""
    c1 = world.consultants["p1"][0]
    people = {}
    for grade in ["A", "B", "C", "D", ""]:
        customer = world.customer(world.p1, c1, f"客户{grade or '未评'}")
        Customer.objects.filter(pk=customer.pk).update(grade=grade)
        people[grade] = customer
    return world, c1, people
