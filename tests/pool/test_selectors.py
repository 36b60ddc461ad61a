"""pool: the selectors.

The shared pool (公海): reclaim by rule on a frozen clock, claim limits, hand-out, tick."""

from __future__ import annotations

from datetime import timedelta

from anchang.customers.models import Customer
from anchang.pool import selectors
from anchang.pool.rules import PoolRules, reclaim_due
from tests.pool.helpers import START


def test_the_query_agrees_with_the_rule(world, clock):
    c1 = world.consultants["p1"][0]
    customers = [world.register(c1, name=f"客户{i}").customer for i in range(12)]
    for i, customer in enumerate(customers):
        Customer.objects.filter(pk=customer.pk).update(
            owned_since=START - timedelta(days=10 * i),
            last_reached_at=None if i % 3 == 0 else START - timedelta(days=7 * i),
        )
    conf = PoolRules()
    matched = set(
        Customer.objects.filter(selectors.reclaimable_q(conf, clock.now)).values_list(
            "pk", flat=True
        )
    )
    expected = set()
    for customer in Customer.objects.filter(pk__in=[c.pk for c in customers]):
        due = reclaim_due(state=customer.state, owned_since=customer.owned_since,
                          last_reached_at=customer.last_reached_at, conf=conf)  # fmt: skip
        if due and due.at <= clock.now:
            expected.add(customer.pk)
    assert matched == expected and 0 < len(expected) < len(customers)
