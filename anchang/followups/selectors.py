"""Reads of the follow-up engine: the consultant's day, a customer's follow-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from anchang.customers.choices import FOLLOWED_STATES
from anchang.customers.models import Customer, KeyDate
from anchang.customers.selectors import customers_for
from anchang.dbfunctions import MonthDay
from anchang.followups.models import FollowUp
from anchang.org.models import User

AGENDA_LIMIT = 200
# My day lists the most pressing rows and counts the rest (the customer list shows them all):
# nobody works through 500 overdue customers in a morning, and rendering them costs.
OVERDUE_SHOWN = 20
DUE_SHOWN = 50
NEW_SHOWN = 20
ACTIVE_STATES = FOLLOWED_STATES
NEW_WITHIN_DAYS = 14
CARE_WINDOW_DAYS = 7


@dataclass
class MyDay:
    today: date
    due_today: list[Customer]
    overdue: list[Customer]  # the most overdue first, each with .days_overdue
    due_count: int
    overdue_count: int
    new_without_followup: list[Customer]
    care_dates: list[tuple[date, str, Customer]]  # (day, what, customer)
    # Filled by their own modules (reviews, revisit plans, the shared pool).
    reviews_received: list = field(default_factory=list)
    revisit_tasks: list = field(default_factory=list)
    pool_warnings: list = field(default_factory=list)


def _mine(actor: User) -> QuerySet[Customer]:
    return customers_for(actor, "view").filter(owner=actor, state__in=ACTIVE_STATES)


# What the agenda rows show (My day and its API): reading whole customer rows costs more.
AGENDA_FIELDS = ("id", "name", "grade", "next_follow_up_on", "created_at", "project_id", "state")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def my_day(actor: User, today: date | None = None) -> MyDay:
    """One indexed read per list on (owner, next_follow_up_on): a fixed number of queries."""
    today = today or timezone.localdate()
    mine = _mine(actor).only(*AGENDA_FIELDS)
    due_q = mine.filter(next_follow_up_on=today)
    overdue_q = mine.filter(next_follow_up_on__lt=today)
    due = list(due_q.order_by("name_pinyin")[:DUE_SHOWN])
    overdue = list(overdue_q.order_by("next_follow_up_on", "id")[:OVERDUE_SHOWN])
    due_count = len(due) if len(due) < DUE_SHOWN else due_q.count()
    overdue_count = len(overdue) if len(overdue) < OVERDUE_SHOWN else overdue_q.count()
    for customer in overdue:
        customer.days_overdue = (today - customer.next_follow_up_on).days
    has_followup = FollowUp.objects.filter(customer=OuterRef("pk"))
    new = list(
        mine.filter(created_at__gte=_start_of(today - timedelta(days=NEW_WITHIN_DAYS)))
        .filter(~Exists(has_followup))
        .order_by("-created_at")[:NEW_SHOWN]
    )
    day = MyDay(today, due, overdue, due_count, overdue_count, new,
                care_dates_ahead(actor, today))  # fmt: skip
    # my-day sections: reviews
    from anchang.followups.review_selectors import reviews_received

    day.reviews_received = reviews_received(actor, today)
    # my-day sections: revisit plans
    from anchang.followups.revisit_selectors import revisit_tasks_due

    day.revisit_tasks = revisit_tasks_due(actor, today)
    # my-day sections: pool warnings
    from anchang.pool.selectors import pool_warnings  # the pool builds on follow-ups

    day.pool_warnings = pool_warnings(actor)
    return day


def _next_occurrence(day: date, today: date) -> date:
    """This year's (or next year's) date of an anniversary; 29 Feb falls on 28 Feb."""
    for year in (today.year, today.year + 1):
        try:
            candidate = day.replace(year=year)
        except ValueError:
            candidate = date(year, 2, 28)
        if candidate >= today:
            return candidate
    return day.replace(year=today.year + 1)


def care_dates_ahead(actor: User, today: date) -> list[tuple[date, str, Customer]]:
    """Birthdays and key care dates in the next 7 days, recurring yearly."""
    window = [today + timedelta(days=i) for i in range(CARE_WINDOW_DAYS + 1)]
    month_days = {f"{d.month:02d}-{d.day:02d}" for d in window}
    if "02-28" in month_days:
        month_days.add("02-29")  # born on 29 February: celebrated on the 28th
    out: list[tuple[date, str, Customer]] = []
    mine = _mine(actor)
    birthdays = (
        mine.filter(birthday__isnull=False)
        .annotate(md=MonthDay("birthday"))
        .filter(md__in=month_days)
        .only("id", "name", "birthday")
    )
    for customer in birthdays[:AGENDA_LIMIT]:
        out.append((_next_occurrence(customer.birthday, today), "birthday", customer))
    key_dates = (
        KeyDate.objects.filter(customer__in=mine.values("pk"))
        .annotate(md=MonthDay("date"))
        .filter(md__in=month_days)
        .select_related("customer")
        .only("date", "kind", "note", "customer__id", "customer__name")
    )
    for key_date in key_dates[:AGENDA_LIMIT]:
        label = key_date.get_kind_display() + (f" · {key_date.note}" if key_date.note else "")
        out.append((_next_occurrence(key_date.date, today), label, key_date.customer))
    return sorted(out, key=lambda item: (item[0], item[2].name))


def customer_followups(customer: Customer, limit: int = 100) -> QuerySet[FollowUp]:
    return customer.followups.select_related("author").order_by("-occurred_at")[:limit]


def pending_loss_applications(actor: User) -> QuerySet:
    """Applications a manager may decide: pending, on customers they may reassign."""
    from anchang.followups.models import LossApplication

    allowed = customers_for(actor, "reassign").values("pk")
    return (
        LossApplication.objects.filter(status="pending", customer__in=allowed)
        .select_related("customer", "applicant", "project")
        .order_by("id")
    )


def loss_applications_visible(actor: User) -> QuerySet:
    from anchang.followups.models import LossApplication

    return (
        LossApplication.objects.filter(customer__in=customers_for(actor, "view").values("pk"))
        .select_related("customer", "applicant", "decided_by")
        .order_by("-id")
    )
