"""An import's rows of known phones, decided and written in bulk (customers.services.imports:
returns, unowned customers taken, conflicts), against the registration itself (`_known`,
one by one, the path of what only it decides): the same rows on twin customers leave the
same customers, registrations, conflicts and channel credit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from anchang.assignment.channels import services as channels
from anchang.assignment.models import ChannelReport
from anchang.customers.models import Customer, KeyDate, OwnershipConflict, Registration
from anchang.customers.services import customer_create
from anchang.customers.services import imports as imp
from anchang.org.models import Role
from anchang.org.selectors import project_rules
from anchang.org.services import membership_grant
from tests.assignment.channels.test_services import channel
from tests.conftest import next_phone
from tests.deals.helpers import office

CONFLICT = ["claimant_id", "owner_id", "via_second_phone", "status", "proposed", "proposal"]
SKIP = {"id", "phone", "phone_last4", "version", "updated_at", "created_at", "owned_since"}
REGISTRATION = ["kind", "outcome", "consultant_id", "occurred_at", "is_late", "medium_id",
                "name_given", "content", "companions", "intended_product"]  # fmt: skip


def _twin(o, name, *, owner, **fields):
    """One customer in a state, as two records (phones apart): one for each path."""
    pair = []
    for _ in range(2):
        c = customer_create(actor=o.manager, project=o.project, name=name, phone=next_phone(),
                            owner=owner)  # fmt: skip
        Customer.objects.filter(pk=c.pk).update(grade="B", **fields)
        pair.append(Customer.objects.get(pk=c.pk))
    return pair


def _rows(o, customer, specs, start):
    medium = o.project.media.filter(is_active=True).order_by("pk").first()
    return [
        imp.ContactRow(
            key=start + i,
            kind=kind,
            name=customer.name,
            phone=customer.phone,
            gender="f",
            medium_id=medium.pk,
            content="",
            occurred_at=at,
            credited=credited,
            companions=i,
            intended_product="三房",
        )  # fmt: skip
        for i, (kind, at, credited) in enumerate(specs)
    ]


def test_plain_returns_in_bulk_leave_what_the_registration_leaves(world, monkeypatch):
    o = office(world)
    tz = project_rules(o.project).tz
    now = timezone.now()
    today = timezone.localtime(now, tz).date()
    old = datetime(2026, 3, 5, 10, tzinfo=tz)  # an old register's day
    recent = now - timedelta(hours=20)
    rival = world.consultants["p1"][1]
    membership_grant(user=rival, role=Role.CONSULTANT, company=world.company, project=o.project)
    _company, (agent,) = channel(world, o)
    reported = next_phone()
    channels.report_submit(actor=agent, name="渠道客户", phone=reported)
    cases = [
        (_twin(o, "甲", owner=o.consultant),
         [("visit", old, None), ("call", recent, o.consultant)]),
        (_twin(o, "乙", owner=None), [("call", old, None)]),
        (_twin(o, "丙", owner=o.consultant, next_follow_up_on=today - timedelta(days=9)),
         [("visit", old, o.consultant)]),  # overdue: stays overdue
        (_twin(o, "丁", owner=o.consultant, next_follow_up_on=today + timedelta(days=9)),
         [("visit", old, None), ("visit", recent, None)]),
        (_twin(o, "戊", owner=None, pool_entered_at=now - timedelta(days=2)),
         [("visit", recent, None)]),  # in the pool, nobody claims: a return
        (_twin(o, "庚", owner=None),  # a return, then taken by one, then claimed by another
         [("call", old, None), ("visit", recent - timedelta(hours=2), o.consultant),
          ("visit", recent, rival)]),
        (_twin(o, "辛", owner=o.consultant), [("visit", recent, rival)]),  # a conflict alone
        (_twin(o, "壬", owner=o.consultant),
         [("call", old, o.consultant), ("visit", recent, rival), ("call", recent, None)]),
    ]  # fmt: skip
    keyed = _twin(o, "己", owner=o.consultant)
    for c in keyed:
        KeyDate.objects.create(customer=c, kind="birthday", date=date(1990, 5, 1))
    cases.append((keyed, [("call", recent, o.consultant)]))
    bulk_reported = customer_create(actor=o.manager, project=o.project, name="渠道客户",
                                    phone=reported, owner=o.consultant)  # fmt: skip
    Customer.objects.filter(pk=bulk_reported.pk).update(grade="B")
    bulk_rows, one_by_one = [], []
    for (a, b), specs in cases:
        bulk_rows += _rows(o, a, specs, 100 * len(bulk_rows) + 1)
        one_by_one += _rows(o, b, specs, 100 * len(one_by_one) + 1)
    (visit,) = _rows(o, bulk_reported, [("visit", recent, None)], 9000)
    bulk_rows.append(replace(visit, medium_id=o.project.media.get(kind="channel").pk))

    def no_row_by_row(*args, **kwargs):
        raise AssertionError("a plain return went through the registration one by one")

    with monkeypatch.context() as m:
        m.setattr(imp, "_known", no_row_by_row)
        made = imp.contact_rows_import(actor=o.clerk, project=o.project, rows=bulk_rows,
                                       note="导入 #1")  # fmt: skip
    assert {r.outcome for r in made} == {"return", "conflict"}
    media = {m.pk: m for m in o.project.media.all()}
    for row in one_by_one:
        values = imp.contact_row_clean(row, project=o.project, now=now)
        with transaction.atomic():
            imp._known(o.clerk, o.project, replace(row), values, "导入 #1", now, media)
    names = [f.attname for f in Customer._meta.concrete_fields if f.attname not in SKIP]
    for (a, b), _specs in cases:
        a, b = Customer.objects.get(pk=a.pk), Customer.objects.get(pk=b.pk)
        assert {n: getattr(a, n) for n in names} == {n: getattr(b, n) for n in names}, a.name
        ra = list(Registration.objects.filter(customer=a).order_by("pk").values(*REGISTRATION))
        rb = list(Registration.objects.filter(customer=b).order_by("pk").values(*REGISTRATION))
        assert ra == rb and ra
        ca = list(OwnershipConflict.objects.filter(customer=a).order_by("pk").values(*CONFLICT))
        cb = list(OwnershipConflict.objects.filter(customer=b).order_by("pk").values(*CONFLICT))
        assert ca == cb
    overdue = Customer.objects.get(pk=cases[2][0][0].pk)
    assert overdue.next_follow_up_on == today - timedelta(days=9)
    assert Customer.objects.get(pk=cases[3][0][0].pk).next_follow_up_on == today
    assert ChannelReport.objects.get().status == "visited"  # came through the channel


@pytest.mark.parametrize("state", ["lost", "no_intent", "pooled", "ungraded"])
def test_what_only_the_registration_decides_goes_through_it(world, monkeypatch, state):
    """A lost or dormant customer back (a prospect again), a pool customer claimed (the
    pool's rules), a customer with no grade yet (a first grade): row by row, `_known`."""
    o = office(world)
    fields = {
        "lost": {"state": "lost"}, "no_intent": {"state": "no_intent"},
        "pooled": {"owner": None, "pool_entered_at": timezone.now() - timedelta(days=3)},
        "ungraded": {"grade": ""},
    }[state]  # fmt: skip
    (c, _twin_) = _twin(o, "癸", owner=o.consultant)
    Customer.objects.filter(pk=c.pk).update(**fields)
    seen = []
    known = imp._known
    monkeypatch.setattr(imp, "_known", lambda *a, **k: seen.append(a[2].key) or known(*a, **k))
    made = imp.contact_rows_import(
        actor=o.clerk, project=o.project, note="导入 #2",
        rows=_rows(o, c, [("visit", timezone.now() - timedelta(hours=3), o.consultant)], 1),
    )  # fmt: skip
    assert seen == [1] and made[0].outcome in ("return", "conflict")
    after = Customer.objects.get(pk=c.pk)
    if made[0].outcome == "return":
        assert after.state == "prospect" and after.grade and after.owner_id == o.consultant.pk
