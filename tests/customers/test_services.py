"""customers: the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anchang.audit.models import AuditEntry
from anchang.customers.models import Customer, OwnershipConflict, Registration
from anchang.customers.services import customer_update
from anchang.errors import PermissionDenied, ValidationFailed
from tests.conftest import make_user, next_phone
from tests.customers.helpers import FIRST_VISIT

# 来电/来访登记: every call and visit registered once, owners protected, nothing lost.


@pytest.fixture
def c1(world):
    return world.consultants["p1"][0]


@pytest.fixture
def c2(world):
    return world.consultants["p1"][1]


class TestOutcomes:
    def test_unknown_phone_makes_a_new_customer_owned_by_the_registrar(self, world, c1):
        result = world.register(c1, phone="138 0013 8000")
        assert result.outcome == "new_customer"
        customer = result.customer
        assert customer.owner == c1 and customer.phone == "+8613800138000"
        assert (customer.call_count, customer.visit_count) == (1, 0)
        assert customer.name_pinyin == "zhangsan" and customer.name_initials == "zs"
        assert customer.completeness > 0
        assert AuditEntry.objects.filter(action="customer_created", object_id=customer.pk).exists()

    def test_known_phone_same_owner_is_a_return_never_a_second_customer(self, world, c1):
        first = world.register(c1, phone="13800138001", name="李先生")
        again = world.register(c1, phone="+86 138-0013-8001", name="李总", kind="visit",
                               profile=FIRST_VISIT)  # fmt: skip
        assert again.outcome == "return" and again.customer.pk == first.customer.pk
        assert Customer.objects.filter(project=world.p1).count() == 1
        customer = Customer.objects.get()
        assert customer.name == "李先生"  # what was entered is not overwritten
        assert (customer.call_count, customer.visit_count) == (1, 1)
        assert customer.age_band == "35_44"  # blanks are filled
        assert Registration.objects.filter(customer=customer).count() == 2

    def test_unowned_customer_who_returns_is_received_by_the_registrar(self, world, c1):
        customer = world.customer(world.p1, None, "周女士")
        result = world.register(c1, phone=customer.phone)
        assert result.outcome == "return"
        customer.refresh_from_db()
        assert customer.owner == c1

    def test_another_owners_phone_opens_a_conflict_and_reveals_nothing(self, world, c1, c2):
        first = world.register(c1, phone="13800138002", name="王先生")
        result = world.register(c2, phone="13800138002", name="老王")
        assert result.outcome == "conflict"
        assert result.customer is None
        assert "王先生" not in result.message and str(c1) not in result.message
        conflict = OwnershipConflict.objects.get()
        assert (conflict.claimant, conflict.owner, conflict.status) == (c2, c1, "open")
        assert conflict.registration.name_given == "老王"  # the registration is kept
        customer = Customer.objects.get(pk=first.customer.pk)
        assert customer.owner == c1 and customer.call_count == 1  # owner's record untouched

    def test_second_phone_is_known_too(self, world, c1, c2):
        customer = world.register(c1, phone="13800138003").customer
        customer_update(actor=c1, customer=customer, changes={"phone2": "13900139003"},
                        version=customer.version)  # fmt: skip
        result = world.register(c2, phone="139 0013 9003")
        assert result.outcome == "conflict"
        assert Customer.objects.count() == 1

    def test_same_phone_in_another_project_is_another_customer(self, world, c1):
        world.register(c1, phone="13800138004")
        other = world.consultants["p2"][0]
        result = world.register(other, project=world.p2, phone="13800138004")
        assert result.outcome == "new_customer"
        assert Customer.objects.count() == 2

    def test_lost_customer_who_registers_again_comes_back_with_history(self, world, c1):
        customer = world.register(c1, phone="13800138005").customer
        Customer.objects.filter(pk=customer.pk).update(state="no_intent", loss_reason="budget")
        again = world.register(c1, phone="13800138005")
        assert again.customer.pk == customer.pk
        assert again.customer.registrations.count() == 2
        # the return is in the change history: state back in play, by whom and why
        latest = customer.history.first()
        assert (latest.state, latest.history_user) == ("prospect", c1)
        assert latest.history_change_reason == "复电/复访登记"  # return registration
        assert customer.history.count() == 2  # created, returned


class TestRequiredFields:
    def test_a_call_names_every_missing_field(self, world, c1):
        with pytest.raises(ValidationFailed) as info:
            world.register(c1, name="", gender="", medium_id=None, content="", phone="")
        assert {"name", "gender", "medium", "content", "phone"} <= set(info.value.fields)
        assert not Registration.objects.exists() and not Customer.objects.exists()

    def test_a_first_visit_needs_the_first_visit_profile(self, world, c1):
        with pytest.raises(ValidationFailed) as info:
            world.register(c1, kind="visit", profile={"age_band": "25_34"})
        missing = set(info.value.fields)
        assert missing == set(FIRST_VISIT) - {"age_band"}
        assert info.value.code == "required_fields_missing"
        assert not Customer.objects.exists()
        ok = world.register(c1, kind="visit", profile=FIRST_VISIT)
        assert ok.outcome == "new_customer" and ok.customer.visit_count == 1

    def test_first_visit_of_a_caller_needs_the_profile_too(self, world, c1):
        phone = next_phone()
        world.register(c1, phone=phone)
        with pytest.raises(ValidationFailed):
            world.register(c1, phone=phone, kind="visit")
        assert world.register(c1, phone=phone, kind="visit", profile=FIRST_VISIT).outcome == (
            "return"
        )

    def test_later_visits_are_never_blocked_by_missing_fields(self, world, c1):
        phone = next_phone()
        world.register(c1, phone=phone, kind="visit", profile=FIRST_VISIT)
        for _ in range(3):
            assert world.register(c1, phone=phone, kind="visit").outcome == "return"

    def test_project_can_require_less(self, world, c1):
        world.p1.rules_overrides = {"intake": {"required": {"first_visit": ["name", "phone"]}}}
        world.p1.save()
        assert world.register(c1, kind="visit").outcome == "new_customer"

    def test_conflicts_skip_profile_checks_so_nothing_leaks(self, world, c1, c2):
        phone = next_phone()
        world.register(c1, phone=phone)
        # c2 cannot know what the card lacks; the registration is kept all the same
        assert world.register(c2, phone=phone, kind="visit").outcome == "conflict"


class TestBadInput:
    @pytest.mark.parametrize(
        "phone", ["123", "1380013800", "12345678901", "138001380001", "abc", "+1 202"]
    )
    def test_invalid_phones(self, world, c1, phone):
        with pytest.raises(ValidationFailed) as info:
            world.register(c1, phone=phone)
        assert "phone" in info.value.fields

    def test_landline_with_area_code_is_accepted(self, world, c1):
        result = world.register(c1, phone="010-6552 9988")
        assert result.customer.phone == "+861065529988"

    def test_overlong_and_emoji_names(self, world, c1):
        with pytest.raises(ValidationFailed) as info:
            world.register(c1, name="张" * 200)
        assert "name" in info.value.fields
        assert world.register(c1, name="🏠王先生🎉").customer.name == "🏠王先生🎉"

    def test_markup_is_stored_as_text(self, world, c1):
        hostile = '<img src=x onerror=alert(1)>"; DROP TABLE customers;--'
        result = world.register(c1, name=hostile[:50], content=hostile)
        assert result.registration.content == hostile

    def test_future_and_ancient_times(self, world, c1):
        now = timezone.now()
        for when in (now + timedelta(hours=1), now - timedelta(days=40)):
            with pytest.raises(ValidationFailed) as info:
                world.register(c1, occurred_at=when)
            assert "occurred_at" in info.value.fields

    def test_leaving_before_arriving(self, world, c1):
        now = timezone.now()
        with pytest.raises(ValidationFailed) as info:
            world.register(c1, kind="visit", profile=FIRST_VISIT, occurred_at=now,
                           left_at=now - timedelta(hours=1))  # fmt: skip
        assert "left_at" in info.value.fields

    def test_medium_of_another_project(self, world, c1):
        with pytest.raises(ValidationFailed) as info:
            world.register(c1, medium_id=world.medium(world.p3).pk)
        assert "medium" in info.value.fields

    def test_project_the_user_does_not_work_in(self, world, c1):
        with pytest.raises(PermissionDenied):
            world.register(c1, project=world.p3, medium_id=world.medium(world.p3).pk)
        assert not Registration.objects.exists()

    def test_roles_that_do_not_register(self, world):
        clerk = world.grant(make_user("clerk"), "clerk")
        with pytest.raises(PermissionDenied):
            world.register(clerk)


class TestIdempotency:
    def test_same_key_twice_gives_one_registration(self, world, c1):
        first = world.register(c1, idempotency_key="tap-1")
        second = world.register(c1, idempotency_key="tap-1", name="别的名字")
        assert second.registration.pk == first.registration.pk
        assert Registration.objects.count() == 1 and Customer.objects.count() == 1

    def test_keys_are_per_user(self, world, c1, c2):
        world.register(c1, idempotency_key="k")
        world.register(c2, idempotency_key="k")
        assert Registration.objects.count() == 2


class TestLateEntry:
    def test_entered_the_next_day_is_late(self, world, c1):
        result = world.register(c1, occurred_at=timezone.now() - timedelta(days=2))
        assert result.registration.is_late

    def test_entered_at_once_is_not_late_before_the_day_ends(self, world, c1, settings):
        # A day end of 23:59 makes "now" always on time, whatever the clock says.
        world.p1.rules_overrides = {"intake": {"working_day_end": "23:59:59"}}
        world.p1.save()
        result = world.register(c1, occurred_at=timezone.now() - timedelta(minutes=1))
        local = timezone.localtime(result.registration.occurred_at)
        assert result.registration.is_late is (local.date() != timezone.localdate())


# The customer list as a person reads it: grade and next follow-up columns, the grade filter
# (the scale of the actor's projects, from the project rules), a bounded total, the apply
# button; query counts that do not grow with the rows.


def test_a_revisit_plan_made_from_a_grade_filter_reads_it_as_words(db):
    from anchang.followups.revisits.selectors import criteria_display

    shown = dict(criteria_display({"grade": "none", "overdue": "true"}))
    assert shown == {"意向等级": "未评级", "跟进已逾期": "✓"}
    assert dict(criteria_display({"grade": "A"})) == {"意向等级": "A"}
