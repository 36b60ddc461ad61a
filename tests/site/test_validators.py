"""The shared input checks (anchang/validators.py): one rule for a window of days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from anchang.validators import WindowProblem, window_problems

TODAY = date(2026, 12, 6)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@given(first=days, last=days)
def test_a_window_holds_exactly_when_it_is_in_order_and_short_enough(first, last):
    problems = window_problems(first, last, max_days=90)
    assert (problems == {}) == (first <= last and (last - first).days <= 90)


@given(first=days, last=days)
def test_a_window_ahead_holds_exactly_when_it_starts_soon_and_not_in_the_past(first, last):
    problems = window_problems(first, last, today=TODAY, max_days=90, start_ahead=30)
    holds = TODAY <= first <= last and (last - first).days <= 90 and (first - TODAY).days <= 30
    assert (problems == {}) == holds


def test_each_end_names_its_own_problem():
    ahead = dict(today=TODAY, max_days=90, start_ahead=30)
    assert window_problems("2026-12-06", TODAY, **ahead) == {"first": WindowProblem.NOT_A_DATE}
    assert window_problems(TODAY, datetime(2026, 12, 7, tzinfo=UTC), **ahead) == {
        "last": WindowProblem.NOT_A_DATE
    }
    yesterday = TODAY - timedelta(days=1)
    assert window_problems(yesterday, yesterday, **ahead) == {
        "first": WindowProblem.PAST,
        "last": WindowProblem.PAST,
    }
    later = TODAY + timedelta(days=5)
    assert window_problems(later, TODAY + timedelta(days=3), **ahead) == {
        "last": WindowProblem.REVERSED
    }
    assert window_problems(TODAY, TODAY + timedelta(days=91), **ahead) == {
        "last": WindowProblem.TOO_LONG
    }
    far = TODAY + timedelta(days=31)
    assert window_problems(far, far, **ahead) == {"first": WindowProblem.TOO_FAR_AHEAD}
    assert window_problems(None, None) == {
        "first": WindowProblem.NOT_A_DATE,
        "last": WindowProblem.NOT_A_DATE,
    }
