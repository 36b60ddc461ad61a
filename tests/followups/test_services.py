"""followups: the services.

Recording follow-ups, grading, cadence and My day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anchang.customers.models import Customer
from anchang.errors import PermissionDenied, ValidationFailed
from anchang.followups.models import FollowUp, GradeChange
from anchang.followups.services import grade_set
from tests.followups.helpers import LONG_PHONE_NOTE, record


class TestRecord:
    def test_registration_schedules_the_playbook_step(self, world, c1):
        result = world.register(c1)
        call = result.customer
        # the call's own day (5 minutes ago: before midnight, just after it)
        day = timezone.localtime(result.registration.occurred_at).date()
        assert call.next_follow_up_on == day + timedelta(days=3)  # invite to visit
        assert call.last_reached_at is not None

    def test_follow_up_sets_the_next_date_by_cadence(self, c1, customer):
        grade_set(actor=c1, customer=customer, grade="B", reason="价格可谈")
        record(c1, customer)
        customer.refresh_from_db()
        assert customer.next_follow_up_on == timezone.localdate() + timedelta(days=14)

    def test_a_chosen_date_wins(self, c1, customer):
        chosen = timezone.localdate() + timedelta(days=2)
        record(c1, customer, next_on=chosen, grade="A")
        customer.refresh_from_db()
        assert customer.next_follow_up_on == chosen and customer.grade == "A"
        assert GradeChange.objects.filter(customer=customer).latest("id").to_grade == "A"

    def test_change_history_keeps_grades_not_every_next_date(self, c1, customer):
        """The card's change history lists what changed in the customer: a follow-up that
        only moves the next date adds no row there; one that sets a grade does."""
        before = customer.history.count()
        record(c1, customer)
        assert customer.history.count() == before
        record(c1, customer, grade="B")
        latest = customer.history.first()
        assert customer.history.count() == before + 1
        assert (latest.grade, latest.history_user) == ("B", c1)

    def test_too_short_says_how_many_characters_are_missing(self, c1, customer):
        with pytest.raises(ValidationFailed) as info:
            record(c1, customer, content="好的，再联系")
        assert info.value.code == "content_too_short"
        assert "24" in str(info.value.fields["content"])
        assert not FollowUp.objects.exists()

    def test_unanswered_call_is_logged_but_keeps_nothing(self, c1, customer):
        before = Customer.objects.get(pk=customer.pk).last_reached_at
        followup = record(c1, customer, reached=False, content="")
        customer.refresh_from_db()
        assert followup.reached is False and customer.last_reached_at == before

    def test_visit_needs_fifty_characters(self, c1, customer):
        with pytest.raises(ValidationFailed):
            record(c1, customer, kind="visit", content=LONG_PHONE_NOTE[:40])

    def test_dates(self, c1, customer):
        now = timezone.now()
        with pytest.raises(ValidationFailed) as info:
            record(c1, customer, occurred_at=now + timedelta(hours=2))
        assert "occurred_at" in info.value.fields
        with pytest.raises(ValidationFailed) as info:
            record(c1, customer, next_on=timezone.localdate() - timedelta(days=1))
        assert info.value.code == "next_date_in_past"
        backdated = record(c1, customer, occurred_at=now - timedelta(days=3))
        assert backdated.is_backdated
        assert not record(c1, customer, occurred_at=now - timedelta(hours=5)).is_backdated

    def test_grade_outside_the_scale(self, world, c1, customer):
        with pytest.raises(ValidationFailed) as info:
            record(c1, customer, grade="H")  # real estate uses A/B/C/D
        assert info.value.code == "grade_not_in_scale"
        world.p1.rules_overrides = {"grading": {"scale": "HABC"}}
        world.p1.save()
        record(c1, customer, grade="H")
        customer.refresh_from_db()
        assert customer.grade == "H" and customer.next_follow_up_on == timezone.localdate()

    def test_someone_elses_customer(self, world, customer):
        with pytest.raises(PermissionDenied):
            record(world.consultants["p1"][1], customer)

    def test_unknown_signal(self, c1, customer):
        with pytest.raises(ValidationFailed):
            record(c1, customer, signals=["telepathy"])


class TestGrade:
    def test_grade_history_keeps_who_when_why_and_the_suggestion(self, c1, customer):
        checks = dict.fromkeys(
            ["accepts_product", "accepts_price", "purchasing_power", "unit_chosen", "attention",
             "decision_maker"], True)  # fmt: skip
        before = customer.grade  # the registration's (a call starts at C)
        grade_set(actor=c1, customer=customer, grade="B", reason="先定B", checks=checks)
        change = GradeChange.objects.latest("id")
        assert (change.from_grade, change.to_grade, change.suggested) == (before, "B", "A")
        assert change.actor == c1 and change.reason == "先定B"

    def test_unknown_criterion_and_bad_grade(self, c1, customer):
        recorded = GradeChange.objects.count()
        with pytest.raises(ValidationFailed):
            grade_set(actor=c1, customer=customer, grade="Z", reason="")
        with pytest.raises(ValidationFailed):
            grade_set(actor=c1, customer=customer, grade="A", reason="", checks={"luck": True})
        assert GradeChange.objects.count() == recorded
