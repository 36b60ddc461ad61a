"""Days in a time zone, written once for every app: "today" and "the start of a day" follow
the project's zone (stored times are UTC), so a page, a rule and a count agree on which day
an instant belongs to."""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo

from django.utils import timezone


def local_date(tz: tzinfo, at: datetime | None = None) -> date:
    """The day `at` (now by default) falls on in `tz`."""
    return (at or timezone.now()).astimezone(tz).date()


def start_of(day: date, tz: tzinfo | None = None) -> datetime:
    """The first instant of `day` in `tz` (the current time zone, the project's per request,
    by default)."""
    return timezone.make_aware(datetime.combine(day, time.min), tz)


def start_of_today(tz: tzinfo | None = None) -> datetime:
    """The first instant of today in `tz` (the current time zone by default)."""
    return start_of(timezone.localdate(timezone=tz), tz)


def parse_day(value) -> date | None:
    """A day written YYYY-MM-DD in ASCII digits (a query string's), or None."""
    if not isinstance(value, str) or not value.isascii():
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
