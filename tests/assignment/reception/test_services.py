"""Reception's services: the roster, walk-ins in turn, returning customers to their owner or
a stand-in, skips and make-up turns, every one a ledger entry; refusals change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anchang.assignment.models import DutyEntry, RotationDay, TurnEntry
from anchang.assignment.reception import services
from anchang.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tests.assignment.helpers import reception


def _ledger(r):
    return list(
        TurnEntry.objects.filter(project=r.project).order_by("seq")
        .values_list("seq", "kind", "consultant_id", "owner_id", "reason")
    )  # fmt: skip


def _state():
    return {
        "duty": list(DutyEntry.objects.order_by("pk").values_list(
            "pk", "status", "owed", "received", "version")),
        "turns": TurnEntry.objects.count(),
        "days": list(RotationDay.objects.values_list("pk", "seq", "pointer_id")),
    }  # fmt: skip


def _free(r, *people):
    for user in people:
        entry = DutyEntry.objects.get(project=r.project, consultant=user)
        services.duty_set(actor=user, entry=entry, status="on_duty")


def test_three_walk_ins_go_round_in_sign_in_order(world):
    r = reception(world)
    a, b, c = r.consultants
    r.sign_in(a, b, c)
    got = []
    for _ in range(3):
        got.append(r.walk_in(visitor="王先生").entry.consultant_id)
        _free(r, *r.consultants)
    assert got == [a.pk, b.pk, c.pk]
    assert r.walk_in().entry.consultant_id == a.pk
    assert [k for _, k, *_ in _ledger(r)] == ["turn"] * 4
    assert DutyEntry.objects.get(consultant=a).received == 2


def test_taking_a_walk_in_makes_the_receiver_busy_and_the_busy_are_skipped_and_owed(world):
    r = reception(world)
    a, b, c = r.consultants
    r.sign_in(a, b, c)
    r.walk_in()  # a takes it, now busy
    r.walk_in()  # b
    _free(r, b)
    taken = r.walk_in()  # c
    assert taken.entry.consultant_id == c.pk and taken.skipped == []
    # a still busy: b receives, a is skipped on the way and owed a make-up turn
    taken = r.walk_in()
    assert taken.entry.consultant_id == b.pk
    assert [(s.consultant_id, s.reason) for s in taken.skipped] == [(a.pk, "busy")]
    assert DutyEntry.objects.get(consultant=a).owed == 1
    _free(r, a)
    makeup = r.walk_in()
    assert (makeup.entry.kind, makeup.entry.consultant_id) == ("makeup", a.pk)
    assert DutyEntry.objects.get(consultant=a).owed == 0


def test_a_returning_customer_goes_to_their_owner_on_duty(world):
    r = reception(world)
    a, b, c = r.consultants
    customer = world.customer(r.project, c, "老客户")
    r.sign_in(a, b, c)
    taken = r.walk_in(phone=customer.phone, visitor="老客户")
    assert (taken.entry.kind, taken.entry.consultant_id) == ("owner", c.pk)
    assert taken.entry.customer_id == customer.pk
    # the owner's visit used no turn: the next new visitor is a's
    _free(r, c)
    assert r.walk_in().entry.consultant_id == a.pk


def test_a_returning_customer_of_an_absent_owner_gets_a_stand_in_who_keeps_their_turn(world):
    r = reception(world)
    a, b, c = r.consultants
    customer = world.customer(r.project, c, "老客户")
    r.sign_in(a, b)  # c is not in today
    digits = customer.phone.removeprefix("+86")
    taken = r.walk_in(phone=f" +86 {digits[:3]}-{digits[3:7]}-{digits[7:]}")  # as people write
    assert (taken.entry.kind, taken.entry.consultant_id, taken.entry.owner_id) == (
        "stand_in", a.pk, c.pk)  # fmt: skip
    _free(r, a)
    assert r.walk_in().entry.consultant_id == a.pk  # a's turn was not used up


def test_the_desk_skips_a_consultant_who_does_not_come(world):
    r = reception(world)
    a, b, c = r.consultants
    r.sign_in(a, b, c)
    skip = services.turn_skip(actor=r.desk, project=r.project, consultant=a)
    assert (skip.kind, skip.reason) == ("skip", "no_answer")
    assert r.walk_in().entry.consultant_id == b.pk
    assert DutyEntry.objects.get(consultant=a).owed == 0  # not busy: no make-up turn


def test_nobody_free_is_a_409_and_writes_nothing(world):
    r = reception(world)
    a = r.consultants[0]
    r.sign_in(a)
    r.walk_in()
    before = _state()
    with pytest.raises(Conflict) as exc:
        r.walk_in()
    assert exc.value.code == "nobody_free"
    assert _state() == before


def test_a_retry_with_the_same_key_answers_the_first(world):
    r = reception(world)
    r.sign_in()
    first = r.walk_in(idempotency_key="k1")
    again = r.walk_in(idempotency_key="k1")
    assert again.replayed and again.entry.pk == first.entry.pk
    assert TurnEntry.objects.count() == 1


@pytest.mark.parametrize("phone", ["12345", "not a phone", "138001380001", "1" * 40, "=1+1"])
def test_a_bad_phone_is_refused_with_its_field_and_changes_nothing(world, phone):
    r = reception(world)
    r.sign_in()
    before = _state()
    with pytest.raises(ValidationFailed) as exc:
        r.walk_in(phone=phone)
    assert "phone" in exc.value.fields
    assert _state() == before


def test_an_oversized_visitor_is_refused(world):
    r = reception(world)
    r.sign_in()
    with pytest.raises(ValidationFailed) as exc:
        r.walk_in(visitor="王" * 41)
    assert "visitor" in exc.value.fields


def test_only_the_desk_takes_walk_ins_and_a_consultant_keeps_only_their_own_duty(world):
    r = reception(world)
    a, b, _c = r.consultants
    with pytest.raises(PermissionDenied):
        services.walk_in_take(actor=a, project=r.project)
    with pytest.raises(PermissionDenied):
        services.duty_sign_in(actor=a, project=r.project, consultant=b)
    with pytest.raises(PermissionDenied):
        services.turn_skip(actor=a, project=r.project, consultant=b)
    other = world.consultants["p3"][0]
    with pytest.raises(PermissionDenied):
        services.duty_sign_in(actor=other, project=r.project, consultant=other)


def test_the_desk_signs_in_only_who_takes_walk_ins_here(world):
    r = reception(world)
    for person in (r.manager, world.consultants["p3"][0]):
        with pytest.raises(ValidationFailed) as exc:
            services.duty_sign_in(actor=r.desk, project=r.project, consultant=person)
        assert exc.value.code == "not_a_receiver"
    assert not DutyEntry.objects.exists()


def test_signing_in_twice_is_one_entry_and_after_signing_out_goes_to_the_end(world):
    r = reception(world)
    a, b, _c = r.consultants
    now = timezone.now()
    r.sign_in(a, now=now)
    r.sign_in(a, now=now + timedelta(minutes=1))
    r.sign_in(b, now=now + timedelta(minutes=2))
    entry = DutyEntry.objects.get(consultant=a)
    assert DutyEntry.objects.filter(consultant=a).count() == 1
    services.duty_set(actor=a, entry=entry, status="off")
    r.sign_in(a, now=now + timedelta(minutes=3))
    order = DutyEntry.objects.order_by("signed_in_at").values_list("consultant_id", flat=True)
    assert list(order) == [b.pk, a.pk]


def test_a_stale_version_is_a_409(world):
    r = reception(world)
    a = r.consultants[0]
    r.sign_in(a)
    entry = DutyEntry.objects.get(consultant=a)
    services.duty_set(actor=a, entry=entry, status="busy", version=entry.version)
    with pytest.raises(Conflict):
        services.duty_set(actor=a, entry=entry, status="away", version=1)


def test_a_skip_of_someone_not_on_the_roster_is_404(world):
    r = reception(world)
    with pytest.raises(NotFound):
        services.turn_skip(actor=r.desk, project=r.project, consultant=r.consultants[0])
    assert not TurnEntry.objects.exists()


def test_a_half_slot_is_refused(world):
    r = reception(world)
    from datetime import time

    with pytest.raises(ValidationFailed) as exc:
        services.duty_sign_in(actor=r.desk, project=r.project, consultant=r.consultants[0],
                              slot=(time(9), None))  # fmt: skip
    assert "slot" in exc.value.fields
