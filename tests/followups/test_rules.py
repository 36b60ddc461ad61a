"""Grading and cadence as pure functions (docs/domain.md#grading, docs/domain.md#cadence)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anchang.followups import rules

ALL = dict.fromkeys(rules.CRITERIA, True)
checks = st.fixed_dictionaries({c: st.sampled_from([True, False, None]) for c in rules.CRITERIA})


def test_all_six_is_a():
    assert rules.suggest_abcd(ALL).grade == "A"


@pytest.mark.parametrize("breaker", rules.DEAL_BREAKERS)
def test_rejecting_product_price_or_power_is_d(breaker):
    suggestion = rules.suggest_abcd(ALL | {breaker: False})
    assert suggestion.grade == "D" and f"rejects:{breaker}" in suggestion.reasons


def test_b_and_c():
    core = {"accepts_product": True, "unit_chosen": True, "attention": True}
    assert rules.suggest_abcd(core).grade == "B"
    assert rules.suggest_abcd({"accepts_product": True}).grade == "C"
    lifted = rules.suggest_abcd(
        {"accepts_product": True}, frozenset({"bargaining", "asked_payment"})
    )
    assert lifted.grade == "B" and "signal:bargaining" in lifted.reasons
    assert rules.suggest_abcd({}).grade is None


@given(checks)
def test_suggestion_is_always_explained(values):
    suggestion = rules.suggest_abcd(values)
    assert suggestion.grade in (None, "A", "B", "C", "D")
    assert suggestion.reasons
    if any(values[c] is False for c in rules.DEAL_BREAKERS):
        assert suggestion.grade == "D"


@given(st.integers(min_value=0, max_value=100))
def test_score_bands(score):
    grade = rules.grade_from_score(score)
    expected = "A" if score >= 90 else "B" if score >= 70 else "C" if score >= 60 else "D"
    assert grade == expected


@pytest.mark.parametrize("score", [-1, 101])
def test_score_out_of_range(score):
    with pytest.raises(ValueError):
        rules.grade_from_score(score)


@pytest.mark.parametrize(
    "days, grade", [(0, "H"), (7, "H"), (8, "A"), (30, "A"), (31, "B"), (90, "B"), (91, "C")]
)
def test_dealership_horizon(days, grade):
    assert rules.suggest_habc(days).grade == grade


def test_cadence():
    today = date(2026, 11, 22)
    cadence = rules.DEFAULT_CADENCE
    assert rules.next_follow_up(contacted_on=today, grade="A", chosen=None, cadence=cadence) == (
        today + timedelta(days=7)
    )
    assert (
        rules.next_follow_up(contacted_on=today, grade="H", chosen=None, cadence=cadence) == today
    )
    chosen = today + timedelta(days=2)
    assert rules.next_follow_up(contacted_on=today, grade="D", chosen=chosen,
                                cadence=cadence) == chosen  # fmt: skip
    assert (
        rules.next_follow_up(contacted_on=today, grade=None, chosen=None, cadence=cadence) is None
    )
    # a deal or a loss stops the cadence; a date the consultant chose still stands
    assert rules.next_follow_up(contacted_on=today, grade="A", chosen=None, cadence=cadence,
                                closed=True) is None  # fmt: skip
    assert rules.next_follow_up(contacted_on=today, grade="A", chosen=chosen, cadence=cadence,
                                closed=True) == chosen  # fmt: skip


@pytest.mark.parametrize(
    "kind, text, reached, missing",
    [
        ("phone", "短", True, 29),
        ("phone", "未接", False, 0),
        ("visit", "x" * 50, True, 0),
        ("visit", "x" * 20, True, 30),
        ("event", " " * 40, True, 30),  # white space is not content
        ("sms", "", True, 1),
    ],
)
def test_content_minimums(kind, text, reached, missing):
    assert rules.content_shortfall(kind, text, reached=reached) == missing
