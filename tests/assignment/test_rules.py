"""The rotation's order rules as pure functions: whose turn, who is skipped, who is owed."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from anchang.assignment import rules
from anchang.assignment.rules import BUSY, OFF, ON_DUTY, Candidate

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def roster(*statuses: str, **kw) -> list[Candidate]:
    """Consultants 1, 2, 3… signed in a minute apart, in the given states."""
    return [
        Candidate(
            consultant_id=i + 1,
            signed_in_at=T0 + timedelta(minutes=i),
            status=s,
            **{k: v[i] for k, v in kw.items()},
        )  # fmt: skip
        for i, s in enumerate(statuses)
    ]


def turn(people, pointer=None, order="sign_in", makeup="busy", at=time(10)):
    return rules.next_turn(people, order=order, makeup=makeup, pointer=pointer, at=at)


def test_sign_in_order_goes_round_and_round():
    people = roster(ON_DUTY, ON_DUTY, ON_DUTY)
    pointer, seen = None, []
    for _ in range(7):
        plan = turn(people, pointer)
        seen.append(plan.receiver)
        pointer = plan.pointer
    assert seen == [1, 2, 3, 1, 2, 3, 1]


def test_the_busy_and_the_away_are_skipped_and_only_the_busy_are_owed():
    plan = turn(roster(BUSY, "away", ON_DUTY))
    assert plan.receiver == 3
    assert plan.skipped == ((1, BUSY), (2, "away"))
    assert plan.owed == (1,)
    assert turn(roster(BUSY, "away", ON_DUTY), makeup="none").owed == ()
    assert turn(roster(BUSY, "away", ON_DUTY), makeup="busy_and_away").owed == (1, 2)


def test_a_free_consultant_owed_a_make_up_turn_receives_first_and_keeps_the_pointer():
    people = roster(ON_DUTY, ON_DUTY, ON_DUTY, owed=[0, 0, 1])
    plan = turn(people, pointer=1)
    assert (plan.receiver, plan.makeup, plan.pointer) == (3, True, 1)


def test_signed_out_consultants_are_not_in_the_rotation_nor_skipped():
    plan = turn(roster(OFF, ON_DUTY))
    assert plan.receiver == 2 and plan.skipped == ()


def test_nobody_free_is_no_receiver():
    assert turn(roster(BUSY, "away")).receiver is None
    assert turn([]).receiver is None


def test_fewest_today_picks_the_least_received_then_the_earlier_sign_in():
    people = roster(ON_DUTY, ON_DUTY, BUSY, received=[3, 2, 0])
    plan = turn(people, order="fewest_today")
    assert plan.receiver == 2 and plan.skipped == ()
    tie = roster(ON_DUTY, ON_DUTY, received=[1, 1])
    assert turn(tie, order="fewest_today").receiver == 1


def test_time_slots_prefer_whoever_is_in_their_slot():
    slots = [(time(9), time(12)), (time(12), time(18)), (time(9), time(12))]
    people = roster(ON_DUTY, ON_DUTY, ON_DUTY, slot=slots)
    assert turn(people, order="time_slots", at=time(10)).receiver == 1
    assert turn(people, order="time_slots", at=time(10), pointer=1).receiver == 3
    assert turn(people, order="time_slots", at=time(13), pointer=2).receiver == 2
    # nobody's slot covers 20:00: everyone on duty, in sign-in order
    assert turn(people, order="time_slots", at=time(20), pointer=1).receiver == 2


def test_a_slot_over_midnight():
    people = roster(ON_DUTY, ON_DUTY, slot=[(time(22), time(2)), None])
    assert turn(people, order="time_slots", at=time(1)).receiver == 1
    assert turn(people, order="time_slots", at=time(3)).receiver == 1  # nobody in slot
    assert turn(people, order="time_slots", at=time(3), pointer=1).receiver == 2


def test_an_unknown_order_is_refused():
    with pytest.raises(ValueError):
        turn(roster(ON_DUTY), order="seniority")


def test_every_turn_of_a_long_day_is_fair_under_sign_in_order():
    """A hundred visitors over five free consultants: each receives twenty."""
    people = roster(*[ON_DUTY] * 5)
    counts, pointer = {}, None
    for _ in range(100):
        plan = turn(people, pointer)
        counts[plan.receiver] = counts.get(plan.receiver, 0) + 1
        pointer = plan.pointer
    assert counts == {i: 20 for i in range(1, 6)}


@pytest.mark.parametrize("given", [{"order": "alphabet"}, {"makeup": "always"}])
def test_the_rules_refuse_an_unknown_order_or_make_up_rule(given):
    with pytest.raises(ValueError):
        rules.ReceptionRules(**given)


@pytest.mark.parametrize("model", rules.CHANNEL_MODELS)
def test_every_channel_model_gives_a_report_a_window_that_ends(model):
    """No model protects a reported phone for ever: a report waits for its visit, or for its
    deal, a bounded number of days."""
    visit_by, deal_by = rules.report_windows(model, reported_at=T0, visit_days=7, deal_days=30)
    assert (visit_by or deal_by) is not None
    assert (visit_by or deal_by) - T0 <= timedelta(days=30)
    after = rules.deal_by_after_visit(model, visited_at=T0 + timedelta(days=2), deal_days=30,
                                      current=deal_by)  # fmt: skip
    assert after is not None
