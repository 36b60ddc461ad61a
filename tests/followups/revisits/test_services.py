"""followups/revisits: the services.

回访计划: a plan from a customer filter, tasks on each owner's My day, completion by a
follow-up inside the window, the report, the manager's review, and the tick's close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anchang.customers.models import Customer
from anchang.errors import Conflict, PermissionDenied, ValidationFailed
from anchang.followups.models import RevisitPlan, RevisitTask
from anchang.followups.my_day.selectors import my_day_reminders
from anchang.followups.revisits import services as revisits
from anchang.followups.revisits.selectors import plan_progress, revisit_tasks_due
from anchang.followups.revisits.services import (
    plan_report,
    plan_review,
    plans_close_due,
)
from anchang.org.models import Role
from tests.conftest import make_user
from tests.followups.revisits.helpers import REPORT, make_plan, record, today


class TestCreate:
    def test_a_manager_plans_over_the_filter_and_each_owner_gets_the_tasks(self, team):
        world, manager, c1, c2, mine, other, theirs = team
        plan = make_plan(manager, world.p1)
        tasks = {t.customer_id: t.owner_id for t in plan.tasks.all()}
        assert tasks == {**{c.pk: c1.pk for c in mine}, **{c.pk: c2.pk for c in theirs}}
        assert plan.criteria == {"q": "王"} and plan.status == "open"
        assert [t.customer.name for t in my_day_reminders(c1).revisit_tasks] == [
            "王二",
            "王三",
            "王一",
        ]  # by pinyin
        assert len(my_day_reminders(c2).revisit_tasks) == 2
        progress = plan_progress(plan)
        assert (progress.targets, progress.done, progress.open) == (5, 0, 5)
        assert sorted(row.targets for row in progress.per_owner) == [2, 3]

    def test_a_consultant_only_targets_their_own_customers(self, team):
        world, _manager, c1, c2, mine, _other, _theirs = team
        plan = make_plan(c1, world.p1, criteria={})
        assert set(plan.tasks.values_list("customer_id", flat=True)) == {
            c.pk for c in [*mine, _other]
        }
        with pytest.raises(ValidationFailed) as info:
            make_plan(c1, world.p1, criteria={"owner": str(c2.pk)})
        assert info.value.code == "no_targets"
        with pytest.raises(ValidationFailed) as info:
            make_plan(c1, world.p2)  # not their project
        assert "project" in info.value.fields

    def test_customers_without_owner_are_left_out_and_said_so(self, team):
        world, manager, *_ = team
        world.customer(world.p1, None, "赵无主")
        with pytest.raises(ValidationFailed) as info:
            make_plan(manager, world.p1, criteria={"q": "赵"})
        assert info.value.code == "no_targets" and "1" in str(info.value.message)

    def test_the_cap_says_how_many_matched(self, team, monkeypatch):
        world, manager, *_ = team
        monkeypatch.setattr(revisits, "TARGETS_MAX", 4)
        with pytest.raises(ValidationFailed) as info:
            make_plan(manager, world.p1)
        assert info.value.code == "too_many_targets"
        assert "5" in str(info.value.message) and "4" in str(info.value.message)
        assert not RevisitPlan.objects.exists()

    @pytest.mark.parametrize(
        ("starts", "due", "field"),
        [
            (0, -1, "due_on"),  # due date in the past
            (5, 3, "due_on"),  # due before the start
            (0, 91, "due_on"),  # longer than 90 days
            (-1, 3, "starts_on"),  # starts in the past
            (120, 125, "starts_on"),  # starts too far ahead
        ],
    )
    def test_window_errors(self, team, starts, due, field):
        world, manager, *_ = team
        with pytest.raises(ValidationFailed) as info:
            make_plan(manager, world.p1, starts_on=today() + timedelta(days=starts),
                      due_on=today() + timedelta(days=due))  # fmt: skip
        assert field in info.value.fields and info.value.code == "bad_window"
        assert not RevisitPlan.objects.exists() and not RevisitTask.objects.exists()

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"title": ""}, "title"),
            ({"title": "   "}, "title"),
            ({"title": "x" * 101}, "title"),
            ({"purpose": "x" * 201}, "purpose"),
            ({"purpose": "含\x00空字符"}, "purpose"),
            ({"talking_points": "长" * 2001}, "talking_points"),
            ({"criteria": {"nope": "1"}}, "criteria.nope"),
            ({"criteria": {"q": "王" * 60}}, "criteria.q"),
            ({"criteria": {"state": ["prospect"]}}, "criteria.state"),
            ({"criteria": {"state": "martian"}}, "criteria.state"),
            ({"criteria": {"registered_from": "not-a-date"}}, "criteria.registered_from"),
            ({"criteria": {"owner": "1 OR 1=1"}}, "criteria.owner"),
            ({"criteria": "state=prospect"}, "criteria"),
        ],
    )
    def test_bad_and_hostile_input_is_refused_and_nothing_is_written(self, team, overrides, field):
        world, manager, *_ = team
        with pytest.raises(ValidationFailed) as info:
            make_plan(manager, world.p1, **overrides)
        assert field in info.value.fields, info.value.fields
        assert not RevisitPlan.objects.exists()


class TestCompletion:
    def test_a_follow_up_inside_the_window_completes_the_task(self, team):
        world, manager, c1, _c2, mine, *_ = team
        plan = make_plan(manager, world.p1)
        followup = record(c1, mine[0])
        task = RevisitTask.objects.get(plan=plan, customer=mine[0])
        assert task.status == "done" and task.followup == followup and task.reached is True
        assert task.result.startswith("客户说周末带家人来看样板间") and task.done_at
        assert mine[0].pk not in [t.customer_id for t in revisit_tasks_due(c1, today())]
        assert plan_progress(plan).done == 1 and plan_progress(plan).reached == 1

    def test_an_unanswered_call_counts_until_a_reached_one_replaces_it(self, team):
        world, manager, c1, _c2, mine, *_ = team
        plan = make_plan(manager, world.p1)
        record(c1, mine[1], reached=False, content="")
        task = RevisitTask.objects.get(plan=plan, customer=mine[1])
        assert task.status == "done" and task.reached is False
        assert plan_progress(plan).reached == 0
        reached = record(c1, mine[1])
        task.refresh_from_db()
        assert task.reached is True and task.followup == reached

    def test_a_follow_up_outside_the_window_does_not(self, team):
        world, manager, c1, _c2, mine, *_ = team
        later = make_plan(manager, world.p1, starts_on=today() + timedelta(days=2),
                          due_on=today() + timedelta(days=9))  # fmt: skip
        record(c1, mine[0])
        assert RevisitTask.objects.get(plan=later, customer=mine[0]).status == "open"
        # not yet started: not on My day either
        assert revisit_tasks_due(c1, today()) == []
        current = make_plan(manager, world.p1, title="本周回访")
        record(c1, mine[2], occurred_at=timezone.now() - timedelta(days=2))  # before its start
        assert RevisitTask.objects.get(plan=current, customer=mine[2]).status == "open"

    def test_a_handed_over_customer_takes_the_task_along(self, team):
        world, manager, c1, c2, mine, *_ = team
        from anchang.customers.services import customer_reassign

        make_plan(manager, world.p1)
        customer = mine[0]
        customer_reassign(actor=manager, customer=customer, new_owner_id=c2.pk, reason="交接",
                          version=customer.version)  # fmt: skip
        assert customer.pk in [t.customer_id for t in revisit_tasks_due(c2, today())]
        assert customer.pk not in [t.customer_id for t in revisit_tasks_due(c1, today())]

    def test_a_customer_returned_to_the_pool_and_claimed_brings_the_task_to_the_claimer(self, team):
        from anchang.pool.services import pool_claim, pool_reclaim_due

        world, manager, c1, c2, mine, *_ = team
        plan = make_plan(manager, world.p1)
        customer = mine[0]
        Customer.objects.filter(pk=customer.pk).update(
            owned_since=timezone.now() - timedelta(days=120), last_reached_at=None
        )
        assert pool_reclaim_due() >= 1
        task = RevisitTask.objects.get(plan=plan, customer=customer)
        assert task.owner_id is None  # in the pool: nobody's My day
        assert customer.pk not in [t.customer_id for t in revisit_tasks_due(c1, today())]
        pool_claim(actor=c2, customer=Customer.objects.get(pk=customer.pk))
        assert customer.pk in [t.customer_id for t in revisit_tasks_due(c2, today())]
        assert customer.pk not in [t.customer_id for t in revisit_tasks_due(c1, today())]
        # the report counts the open task under whoever holds it now
        assert {o.owner_id for o in plan_progress(plan).per_owner} >= {c2.pk}

    def test_a_done_task_keeps_who_did_it_when_the_customer_moves_on(self, team):
        from anchang.customers.services import customer_reassign

        world, manager, c1, c2, mine, *_ = team
        plan = make_plan(manager, world.p1)
        record(c1, mine[0])
        customer = Customer.objects.get(pk=mine[0].pk)
        customer_reassign(actor=manager, customer=customer, new_owner_id=c2.pk, reason="交接",
                          version=customer.version)  # fmt: skip
        assert RevisitTask.objects.get(plan=plan, customer=customer).owner_id == c1.pk

    def test_my_day_shows_the_20_soonest_and_says_there_are_more(self, team):
        world, manager, c1, *_ = team
        for i in range(21):
            world.customer(world.p1, c1, f"王{i:02d}号")
        make_plan(manager, world.p1)
        day = my_day_reminders(c1)
        assert len(day.revisit_tasks) == 20 and day.revisit_more
        assert not my_day_reminders(team[3]).revisit_more

    def test_my_day_reads_the_tasks_in_one_query(self, team, django_assert_num_queries):
        world, manager, c1, *_ = team
        make_plan(manager, world.p1)
        make_plan(manager, world.p1, title="第二轮", criteria={})
        revisit_tasks_due(c1, today())  # the actor's grants are read once per request
        with django_assert_num_queries(1):
            tasks = revisit_tasks_due(c1, today())
            assert [t.plan.title for t in tasks] and [t.customer.name for t in tasks]
        assert len(tasks) == 7


class TestReportAndReview:
    def test_the_creator_reports_and_another_manager_reviews(self, team):
        world, manager, c1, _c2, mine, *_ = team
        plan = make_plan(c1, world.p1)
        record(c1, mine[0])
        with pytest.raises(PermissionDenied):
            plan_report(actor=manager, plan=plan, report=REPORT)  # not the creator
        with pytest.raises(Conflict) as info:
            plan_review(actor=manager, plan=plan, comment="好")
        assert info.value.code == "not_reported"
        with pytest.raises(ValidationFailed) as info:
            plan_report(actor=c1, plan=plan, report="完成")
        assert "8" in str(info.value.fields["report"])  # says how many characters are missing
        plan = plan_report(actor=c1, plan=plan, report=REPORT)
        assert plan.status == "reported" and plan.closed_at and plan.reported_at
        progress = plan_progress(plan)
        assert (progress.targets, progress.done, progress.missed, progress.open) == (3, 1, 2, 0)
        with pytest.raises(Conflict):
            plan_report(actor=c1, plan=plan, report=REPORT)
        assert revisit_tasks_due(c1, today()) == []  # a closed plan leaves My day
        with pytest.raises(PermissionDenied):
            plan_review(actor=world.consultants["p1"][1], plan=plan, comment="好")
        with pytest.raises(ValidationFailed):
            plan_review(actor=manager, plan=plan, comment="  ")
        plan = plan_review(actor=manager, plan=plan, comment="到访率不错，下周跟进未到访的")
        assert plan.status == "reviewed" and plan.reviewed_by == manager
        with pytest.raises(Conflict) as info:
            plan_review(actor=manager, plan=plan, comment="再看")
        assert info.value.code == "already_reviewed"

    def test_nobody_reviews_their_own_plan(self, team):
        world, manager, *_ = team
        plan = make_plan(manager, world.p1)
        plan = plan_report(actor=manager, plan=plan, report=REPORT)
        with pytest.raises(PermissionDenied):
            plan_review(actor=manager, plan=plan, comment="自己批自己")
        second = world.grant(make_user("rv-mgr2"), Role.MANAGER)
        assert plan_review(actor=second, plan=plan, comment="可以").status == "reviewed"

    def test_a_follow_up_after_the_report_changes_nothing(self, team):
        world, manager, c1, _c2, mine, *_ = team
        plan = make_plan(manager, world.p1)
        plan_report(actor=manager, plan=plan, report=REPORT)
        record(c1, mine[0])
        assert RevisitTask.objects.get(plan=plan, customer=mine[0]).status == "missed"


class TestCloseDue:
    def test_closing_is_by_local_date_and_idempotent(self, team):
        world, manager, c1, _c2, mine, *_ = team
        plan = make_plan(manager, world.p1, due_on=today())
        record(c1, mine[0])
        assert plans_close_due() == 0  # due today: still running
        later = timezone.now() + timedelta(days=2)
        assert plans_close_due(now=later) == 1
        plan.refresh_from_db()
        assert plan.closed_at is not None and plan.status == "open"  # the report is still due
        statuses = sorted(plan.tasks.values_list("status", flat=True))
        assert statuses == ["done", "missed", "missed", "missed", "missed"]
        snapshot = list(RevisitTask.objects.order_by("id").values_list("status", "done_at"))
        assert plans_close_due(now=later) == 0
        assert plans_close_due(now=later + timedelta(days=1)) == 0
        assert list(RevisitTask.objects.order_by("id").values_list("status", "done_at")) == (
            snapshot
        )
        assert revisit_tasks_due(c1, today()) == []
        # the creator can still report on a closed plan
        assert plan_report(actor=manager, plan=plan, report=REPORT).status == "reported"
