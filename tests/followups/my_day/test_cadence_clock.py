"""Cadence over 90 days on a frozen clock: My day brings each customer back exactly when the
playbook says, late ones pile up as overdue, a deal or a loss stops it, a return restarts it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from anchang.customers.models import Customer
from anchang.followups.loss.services import loss_apply, loss_approve
from anchang.followups.my_day.selectors import my_day
from anchang.followups.services import followup_record
from tests.conftest import make_user

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Monday
TALK = "电话沟通了首付比例和贷款年限，客户周末带家人来看样板间，关注学区和交房时间"


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = START

        def advance(self, **delta):
            self.now += timedelta(**delta)

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


def _fresh(customer):
    return Customer.objects.get(pk=customer.pk)


def test_ninety_days_of_cadence_on_my_day(world, clock):
    c1 = world.consultants["p1"][0]
    manager = world.grant(make_user("cad-mgr"), "manager")
    keen = world.register(c1, name="积极").customer  # graded A, then B, then buys
    lazy = world.register(c1, name="拖延").customer  # graded C, followed a week late
    gone = world.register(c1, name="放弃").customer  # graded B, given up, comes back
    due_days: dict[str, list[int]] = {"积极": [], "拖延": [], "放弃": []}
    late_seen = 0
    for day in range(1, 91):
        clock.advance(days=1)
        day_list = my_day(c1)
        for customer in day_list.due_today:
            due_days[customer.name].append(day)
        overdue = {c.name: c.days_overdue for c in day_list.overdue}
        # the keen one is followed the day it is due: A weekly, B fortnightly after day 30
        if keen.name in {c.name for c in day_list.due_today}:
            grade = "A" if day < 30 else "B"
            followup_record(actor=c1, customer=_fresh(keen), kind="phone", content=TALK,
                            grade=grade)  # fmt: skip
        if day == 70:  # subscribed: the cadence stops
            Customer.objects.filter(pk=keen.pk).update(state="subscribed")
            signed = TALK + "，今天签了认购书，约好下周去银行办贷款面签"
            followup_record(actor=c1, customer=_fresh(keen), kind="visit", content=signed)
        # the lazy one is followed a week after it falls due, and shows as overdue meanwhile
        if overdue.get(lazy.name) == 7:
            late_seen += 1
            followup_record(actor=c1, customer=_fresh(lazy), kind="phone", content=TALK,
                            grade="C")  # fmt: skip
        if day == 3:
            followup_record(actor=c1, customer=_fresh(gone), kind="phone", content=TALK,
                            grade="B")  # fmt: skip
        if day == 10:
            application = loss_apply(actor=c1, customer=_fresh(gone), reason="budget")
            loss_approve(actor=manager, application=application, comment="同意")
        if day == 60:  # comes back: a prospect again, due by the playbook's next step
            world.register(c1, phone=gone.phone, name=gone.name, kind="visit")
    # registered call → due day 3; then A every 7 days; B every 14 from day 31's contact
    assert due_days["积极"][:5] == [3, 10, 17, 24, 31]
    assert due_days["积极"][5:] == [45, 59]  # B: fortnightly; subscribed on day 70: no more
    assert _fresh(keen).next_follow_up_on is None
    # C is monthly: due day 3, followed on day 10 (7 late) → due 40, followed 47 → due 77
    assert due_days["拖延"] == [3, 40, 77] and late_seen == 3
    # given up on day 10: off My day until the visit on day 60, then due the day after
    assert due_days["放弃"] == [3, 61]
    assert _fresh(gone).state == "prospect" and _fresh(gone).followups.count() == 1
