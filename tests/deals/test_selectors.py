"""Deals' reads: the stale valuable customers, the payments falling due on My day, each in
the reader's scope."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from anchang.deals import selectors, services
from anchang.deals.models import Deal, Unit
from anchang.followups.services import followup_record
from tests.deals.helpers import building, office, subscribe


def test_paid_and_not_signed_for_months_is_listed_for_the_manager(world):
    o = office(world)
    b = building(o)
    long_ago = timezone.now() - timedelta(days=100)
    old = services.deal_subscribe(
        actor=o.consultant, customer=world.customer(o.project, o.consultant, "老定金客户"),
        unit=Unit.objects.get(building=b, floor=1, position=1), now=long_ago,
        data=services.DealInput(deal_price="3000000", payment_method="full", deposit="50000"),
    )  # fmt: skip
    assert selectors.stale_valuable(o.manager) == []  # listed once they paid something
    services.receipt_record(actor=o.clerk, deal=old, amount="50000", method="pos", voucher="D1")
    content = "客户说首付款还差一部分，需要等年终奖发下来再签约，下周再联系"
    followup_record(actor=o.consultant, customer=old.customer, kind="phone", bottleneck="首付不够",
                    content=content)  # fmt: skip
    subscribe(world, o, Unit.objects.get(building=b, floor=1, position=2), method="full")
    rows = selectors.stale_valuable(o.manager)
    assert [d.pk for d in rows] == [old.pk]
    assert rows[0].bottleneck == "首付不够"
    assert selectors.stale_valuable(o.consultant) == []  # approvers only
    services.deal_move(actor=o.consultant, deal=old, to="signing")
    assert selectors.stale_valuable(o.manager) == []


def test_payments_falling_due_are_on_the_consultants_day(world):
    o = office(world)
    deal = subscribe(world, o, Unit.objects.get(building=building(o), floor=1, position=1),
                     method="full", deposit="50000")  # fmt: skip
    today = timezone.localdate()
    due = selectors.my_day_tasks(o.consultant, today)["payments_due"]
    assert [d.pk for d in due] == [deal.pk]  # the deposit is due today
    services.receipt_record(actor=o.clerk, deal=deal, amount="50000", method="pos", voucher="V")
    assert selectors.my_day_tasks(o.consultant, today)["payments_due"] == []
    assert selectors.my_day_tasks(o.colleague, today)["payments_due"] == []
    assert Deal.objects.get(pk=deal.pk).collect_due_on is None
