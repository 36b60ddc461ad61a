"""Assignment and handover: customers spread over colleagues by a rule, under the hold cap
unless the manager goes over it with a reason; a leaver's whole book balanced over three;
every move through the one ownership service (history, audit, tasks following); all or
nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anchang.assignment.handover import selectors, services
from anchang.audit.models import AuditEntry
from anchang.customers.models import Customer
from anchang.errors import PermissionDenied, ValidationFailed
from anchang.org.models import Role
from anchang.org.services import membership_grant
from tests.conftest import make_user, next_phone


def _office(world, extra: int = 2):
    """The project's manager and its consultants: the world's two plus `extra`."""
    project = world.p1
    manager = make_user("h-manager", "经理")
    membership_grant(user=manager, role=Role.MANAGER, company=world.company, project=project)
    people = list(world.consultants["p1"])
    for i in range(extra):
        user = make_user(f"h-c{i}", f"顾问{i + 3}")
        membership_grant(user=user, role=Role.CONSULTANT, company=world.company, project=project)
        people.append(user)
    return project, manager, people


def _unowned(world, project, n: int) -> list[Customer]:
    from anchang.customers.services import customer_create

    return [
        customer_create(
            actor=world.consultants["p1"][0],
            project=project,
            name=f"线上{i}",
            phone=next_phone(),
            owner=None,
        )  # fmt: skip
        for i in range(n)
    ]


def _owned(world, project, owner, n: int) -> list[Customer]:
    from anchang.customers.services import customer_create

    return [
        customer_create(
            actor=owner, project=project, name=f"客户{i}", phone=next_phone(), owner=owner
        )  # fmt: skip
        for i in range(n)
    ]


def _owners():
    return dict(Customer.objects.values_list("pk", "owner_id"))


def test_the_queue_is_spread_least_loaded_and_each_move_is_audited(world):
    project, manager, (a, b, c, d) = _office(world)
    _owned(world, project, a, 3)
    waiting = _unowned(world, project, 6)
    assert [x.pk for x in selectors.queue(manager, project)] == [x.pk for x in waiting]
    plan = services.customers_spread(actor=manager, project=project, customers=waiting,
                                     to=[a, b, c], reason="热线来电分配")  # fmt: skip
    counts = {pk: len(ids) for pk, ids in plan.to.items()}
    assert counts == {a.pk: 0, b.pk: 3, c.pk: 3}  # a already held three
    assert not selectors.queue(manager, project).exists()
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.CUSTOMER_REASSIGNED)
    assert entries.count() == 6 and all(e.details["reason"] == "热线来电分配" for e in entries)


def test_round_robin_goes_in_turn(world):
    project, manager, (a, b, c, _d) = _office(world)
    _owned(world, project, a, 5)
    waiting = _unowned(world, project, 5)
    plan = services.customers_spread(actor=manager, project=project, customers=waiting,
                                     to=[a, b, c], how="round_robin", reason="轮流")  # fmt: skip
    assert [len(plan.to[u.pk]) for u in (a, b, c)] == [2, 2, 1]


def test_the_hold_cap_is_respected_unless_the_manager_goes_over_it_with_a_reason(world):
    project, manager, (a, b, _c, _d) = _office(world)
    project.rules_overrides = {"pool": {"max_active_customers": 2}}
    project.save()
    waiting = _unowned(world, project, 5)
    before = _owners()
    with pytest.raises(ValidationFailed) as exc:
        services.customers_spread(actor=manager, project=project, customers=waiting,
                                  to=[a, b], reason="分配")  # fmt: skip
    assert exc.value.code == "hold_cap" and "to" in exc.value.fields
    assert _owners() == before  # nothing moved
    services.customers_spread(actor=manager, project=project, customers=waiting, to=[a, b],
                              reason="分配", over_cap="开盘前集中跟进")  # fmt: skip
    assert Customer.objects.filter(owner__in=[a, b]).count() == 5
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.CUSTOMER_REASSIGNED).last()
    assert entry.details["over_cap"] == "开盘前集中跟进"


def test_a_leavers_300_customers_are_balanced_over_three_with_their_tasks(world):
    project, manager, (a, b, c, leaver) = _office(world)
    book = _owned(world, project, leaver, 300)
    _owned(world, project, a, 10)
    plan = services.handover(actor=manager, project=project, leaver=leaver, to=[a, b, c],
                             reason="离职交接")  # fmt: skip
    counts = sorted(len(ids) for ids in plan.to.values())
    assert sum(counts) == 300 and counts[-1] - counts[0] <= 10
    assert not Customer.objects.filter(owner=leaver).exists()
    held = {u: Customer.objects.filter(owner=u).count() for u in (a, b, c)}
    assert max(held.values()) - min(held.values()) <= 1  # balanced, a's ten counted
    assert len(book) == 300


def test_open_milestone_tasks_follow_the_customer(world):
    from tests.deals.helpers import building, office, subscribe

    o = office(world)
    unit = building(o).units.order_by("pk").first()
    deal = subscribe(world, o, unit, method="full")
    open_tasks = deal.tasks.filter(done_at__isnull=True)
    assert open_tasks.exists() and set(open_tasks.values_list("assignee_id", flat=True)) == {
        o.consultant.pk}  # fmt: skip
    services.handover(actor=o.manager, project=o.project, leaver=o.consultant, to=[o.colleague],
                      reason="离职")  # fmt: skip
    assert set(open_tasks.values_list("assignee_id", flat=True)) == {o.colleague.pk}
    deal.refresh_from_db()
    assert deal.consultant_id == o.consultant.pk  # the credit stays with who sold it


@pytest.mark.parametrize("who", ["inactive", "stranger", "leaver", "nobody", "none"])
def test_a_handover_to_the_wrong_people_is_refused_and_nothing_moves(world, who):
    project, manager, (a, b, _c, leaver) = _office(world)
    _owned(world, project, leaver, 5)
    if who == "inactive":
        a.is_active = False
        a.save()
    to = {
        "inactive": [a], "stranger": [world.consultants["p3"][0]], "leaver": [leaver],
        "nobody": [type(a)(pk=10**9)], "none": [],
    }[who]  # fmt: skip
    before = _owners()
    with pytest.raises(ValidationFailed) as exc:
        services.handover(actor=manager, project=project, leaver=leaver, to=to, reason="离职")
    assert "to" in exc.value.fields
    assert _owners() == before


def test_an_unknown_id_and_a_strangers_get_the_same_answer(world):
    project, manager, (_a, _b, _c, leaver) = _office(world)
    _owned(world, project, leaver, 2)
    answers = []
    for person in (world.consultants["p3"][0], type(leaver)(pk=10**9)):
        with pytest.raises(ValidationFailed) as exc:
            services.handover(actor=manager, project=project, leaver=leaver, to=[person],
                              reason="离职")  # fmt: skip
        answers.append((exc.value.code, {k: str(v) for k, v in exc.value.fields.items()}))
    assert answers[0] == answers[1]


@pytest.mark.parametrize(("reason", "over_cap"), [("", ""), (" ", ""), ("x" * 201, ""),
                                                   ("ok", "y" * 201)])  # fmt: skip
def test_a_missing_or_oversized_reason_is_refused(world, reason, over_cap):
    project, manager, (a, *_rest) = _office(world)
    waiting = _unowned(world, project, 1)
    with pytest.raises(ValidationFailed) as exc:
        services.customers_spread(actor=manager, project=project, customers=waiting, to=[a],
                                  reason=reason, over_cap=over_cap)  # fmt: skip
    assert set(exc.value.fields) & {"reason", "over_cap"}


def test_a_consultant_may_not_assign(world):
    project, _manager, (a, b, *_rest) = _office(world)
    waiting = _unowned(world, project, 1)
    with pytest.raises(PermissionDenied):
        services.customers_spread(actor=a, project=project, customers=waiting, to=[b],
                                  reason="自己分")  # fmt: skip


def test_lapsed_customers_are_those_late_by_more_than_the_days(world):
    project, manager, (a, b, *_rest) = _office(world)
    late, fresh = _owned(world, project, a, 2)
    today = timezone.localdate()
    Customer.objects.filter(pk=late.pk).update(next_follow_up_on=today - timedelta(days=10))
    Customer.objects.filter(pk=fresh.pk).update(next_follow_up_on=today - timedelta(days=2))
    rows = selectors.lapsed(manager, project, today=today, days=7)
    assert [r.pk for r in rows] == [late.pk]
    services.customers_spread(actor=manager, project=project, customers=list(rows), to=[b],
                              reason="跟进不力")  # fmt: skip
    assert Customer.objects.get(pk=late.pk).owner_id == b.pk
