"""Input cleaning every app shares, so the page and the API clean a value the same way."""

from __future__ import annotations

import enum
from datetime import date, datetime

from django.db import models


def fold_spaces(value: str | None) -> str:
    """One line of text as people mean it: every run of whitespace (newlines, tabs, the
    full-width space 　) becomes one space, and the ends are trimmed; None is ""."""
    return " ".join((value or "").split())


def max_length_of(model: type[models.Model], field: str) -> int:
    """A text column's limit, for the form or serializer that feeds it (one number)."""
    return model._meta.get_field(field).max_length


class WindowProblem(enum.Enum):
    """What can be wrong with a window of days; each app words it for its own fields."""

    NOT_A_DATE = "not_a_date"
    PAST = "past"  # an end before today, for a window that lies ahead
    REVERSED = "reversed"  # the last day before the first
    TOO_LONG = "too_long"
    TOO_FAR_AHEAD = "too_far_ahead"  # the first day more than `start_ahead` days away


def window_problems(
    first: object,
    last: object,
    *,
    today: date | None = None,
    max_days: int | None = None,
    start_ahead: int | None = None,
) -> dict[str, WindowProblem]:
    """The one check of a window of days [first, last], by end ("first", "last"); empty when
    it holds. Each end is a date (a datetime is not); the last is not before the first and at
    most `max_days` after it. With `today`, the window lies ahead (a revisit plan's): neither
    end in the past, and the first within `start_ahead` days. One problem per end, the
    first found in that order."""
    problems: dict[str, WindowProblem] = {}
    for end, value in (("first", first), ("last", last)):
        if not isinstance(value, date) or isinstance(value, datetime):
            problems[end] = WindowProblem.NOT_A_DATE
    if problems:
        return problems
    if today is not None and last < today:
        problems["last"] = WindowProblem.PAST
    elif last < first:
        problems["last"] = WindowProblem.REVERSED
    elif max_days is not None and (last - first).days > max_days:
        problems["last"] = WindowProblem.TOO_LONG
    if today is not None and first < today:
        problems["first"] = WindowProblem.PAST
    elif today is not None and start_ahead is not None and (first - today).days > start_ahead:
        problems["first"] = WindowProblem.TOO_FAR_AHEAD
    return problems
