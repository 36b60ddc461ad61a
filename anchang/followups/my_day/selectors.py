"""My day (今日待办): the consultant's agenda, then the reminders the page fetches after it.
The apps above followups add their parts through followups.my_day.sections (the pool its
warnings), so My day never imports them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from anchang.customers.models import Customer, KeyDate
from anchang.customers.policies import can_see_full_phone
from anchang.customers.selectors import prepared_in_scope
from anchang.dates import start_of
from anchang.dbfunctions import MonthDay, month_day
from anchang.followups.models import FollowUp
from anchang.followups.my_day.sections import sections
from anchang.followups.reviews import selectors as review_selectors
from anchang.followups.revisits import selectors as revisit_selectors
from anchang.followups.selectors import ACTIVE_STATES, grade_weight
from anchang.org.models import User

AGENDA_LIMIT = 200
# My day lists the most pressing rows and counts the rest (the customer list shows them all):
# nobody works through 500 overdue customers in a morning, and rendering them costs.
OVERDUE_SHOWN = 20
DUE_SHOWN = 30
NEW_SHOWN = 20
NEW_WITHIN_DAYS = 14
CARE_WINDOW_DAYS = 7


@dataclass(slots=True)
class AgendaRow:
    """One customer on My day's lists: what the row shows. Lighter than a Customer, which
    matters at 100 rows per page."""

    id: int
    name: str
    grade: str
    next_follow_up_on: date | None
    created_at: datetime
    phone: str
    project_id: int
    days_overdue: int | None = None
    phone_full: bool = False  # the reader may see it in full: the page makes it a tel: link

    @property
    def pk(self) -> int:
        return self.id


@dataclass
class MyDay:
    """The agenda, first on the page: the counts, whom to follow up today, and what the
    other apps' sections add (who is about to return to the pool)."""

    today: date
    due_today: list[AgendaRow]
    overdue: list[AgendaRow]  # worst first (grade, then days late), with days_overdue
    due_count: int
    overdue_count: int
    new_without_followup: list[AgendaRow]
    # All the consultant's customers, whatever their state, and the new ones among them.
    total: int = 0
    new_today: int = 0
    new_week: int = 0
    # The sections' values by name (the pool's pool_warnings and pool_more), read like the
    # agenda's own (`day.pool_warnings`) by the sections' partials and the API alike.
    extra: dict[str, Any] = field(default_factory=dict)
    templates: tuple[str, ...] = ()  # the sections' partials, in the order they were added

    def __getattr__(self, name: str) -> Any:
        extra = self.__dict__.get("extra", {})
        if name in extra:
            return extra[name]
        raise AttributeError(name)


@dataclass
class Reminders:
    """The rest of My day, drawn after the agenda: care dates, the manager's comments, and
    revisit tasks. Each list holds the first few and says whether there are more."""

    care_dates: list[tuple[date, str, Customer]]  # (day, what, customer)
    reviews_received: list = field(default_factory=list)
    reviews_more: bool = False
    revisit_tasks: list = field(default_factory=list)
    revisit_more: bool = False


# What the agenda rows show (My day and its API), in AgendaRow's order.
AGENDA_FIELDS = ("id", "name", "grade", "next_follow_up_on", "created_at", "phone", "project_id")


@prepared_in_scope("view", shape=("which", "limit"))
def _agenda(
    customers: QuerySet[Customer], *, which: str, me: int, today: date, since: datetime, limit: int
) -> QuerySet:
    """One of the agenda's lists: due today, overdue (worst first), or new without a
    follow-up. A prepared read: compiled once per list, not on every My day."""
    mine = customers.filter(owner_id=me, state__in=ACTIVE_STATES)
    if which == "due":
        rows = mine.filter(next_follow_up_on=today).order_by("name_pinyin")
    elif which == "overdue":
        rows = (
            mine.filter(next_follow_up_on__lt=today)
            .annotate(weight=grade_weight())
            .order_by("weight", "next_follow_up_on", "id")
        )
    else:
        has_followup = FollowUp.objects.filter(customer=OuterRef("pk"))
        rows = mine.filter(~Exists(has_followup), created_at__gte=since).order_by("-created_at")
    return rows.values_list(*AGENDA_FIELDS)[:limit]


def _rows(actor: User, which: str, today: date, limit: int) -> list[AgendaRow]:
    values = _agenda(actor, which=which, me=actor.pk, today=today, since=_new_since(today),
                     limit=limit)  # fmt: skip
    return [AgendaRow(*row) for row in values]


def _new_since(today: date) -> datetime:
    return start_of(today - timedelta(days=NEW_WITHIN_DAYS))


def _figures(actor: User, today: date) -> dict[str, int]:
    """Every count My day shows, in one pass over the customer_day index (it holds each
    column counted here, so no customer row is read). Count("owner"), not "id": PostgreSQL
    reads the index alone only when every column named is in it (owner is never null here)."""
    counted = _counts(
        actor, me=actor.pk, today=today, midnight=start_of(today),
        week=start_of(today - timedelta(days=6)), since=_new_since(today),
    )  # fmt: skip
    return counted[0] if counted else dict.fromkeys(_COUNTED, 0)


_COUNTED = ("total", "new_today", "new_week", "due", "overdue", "recent")


@prepared_in_scope("view")
def _counts(
    customers: QuerySet[Customer],
    *,
    me: int,
    today: date,
    midnight: datetime,
    week: datetime,
    since: datetime,
) -> QuerySet:
    # Grouped by the one owner (an aggregate() runs at once; a prepared read is a queryset).
    active = Q(state__in=ACTIVE_STATES)
    return (
        customers.filter(owner_id=me)
        .values("owner_id")
        .annotate(
            total=Count("owner"),
            new_today=Count("owner", filter=Q(created_at__gte=midnight)),
            new_week=Count("owner", filter=Q(created_at__gte=week)),
            due=Count("owner", filter=active & Q(next_follow_up_on=today)),
            overdue=Count("owner", filter=active & Q(next_follow_up_on__lt=today)),
            recent=Count("owner", filter=active & Q(created_at__gte=since)),
        )
        .order_by()
        .values(*_COUNTED)
    )


def _first(rows: list, shown: int) -> tuple[list, bool]:
    """Rows read with one extra: the ones to show, and whether there are more."""
    return rows[:shown], len(rows) > shown


def my_day(actor: User, today: date | None = None) -> MyDay:
    """The agenda: one count pass, then an indexed read per list returning only the rows
    shown; a list whose count is 0 is not read at all."""
    today = today or timezone.localdate()
    figures = _figures(actor, today)
    due: list[AgendaRow] = []
    overdue: list[AgendaRow] = []
    if figures["due"]:
        due = _rows(actor, "due", today, DUE_SHOWN)
    if figures["overdue"]:
        overdue = _rows(actor, "overdue", today, OVERDUE_SHOWN)
    for row in overdue:
        row.days_overdue = (today - row.next_follow_up_on).days
    new: list[AgendaRow] = []
    if figures["recent"]:
        new = _rows(actor, "new", today, NEW_SHOWN)
    full_in: dict[int, bool] = {}
    for row in (*due, *overdue, *new):
        # The same rule as the card (the matrix's phone_full relations). Every row is the
        # actor's own, so it depends on the project alone: asked once per project, of a
        # stand-in (a Customer instance per row cost ~1.5 ms a page in defaults alone).
        if row.project_id not in full_in:
            own = SimpleNamespace(owner_id=actor.pk, project_id=row.project_id,
                                  pool_entered_at=None)  # fmt: skip
            full_in[row.project_id] = can_see_full_phone(actor=actor, customer=own)
        row.phone_full = full_in[row.project_id]
    extra: dict[str, Any] = {}
    for section in sections():
        extra.update(section.load(actor, today))
    return MyDay(
        today, due, overdue, figures["due"], figures["overdue"], new,
        total=figures["total"], new_today=figures["new_today"], new_week=figures["new_week"],
        extra=extra, templates=tuple(s.template for s in sections()),
    )  # fmt: skip


def my_day_reminders(actor: User, today: date | None = None) -> Reminders:
    """Care dates of the coming week, comments received and revisit tasks: three reads."""
    today = today or timezone.localdate()
    reviews, reviews_more = _first(
        review_selectors.reviews_received(actor, today, limit=review_selectors.RECEIVED_LIMIT + 1),
        review_selectors.RECEIVED_LIMIT,
    )
    tasks, tasks_more = _first(
        revisit_selectors.revisit_tasks_due(actor, today, limit=revisit_selectors.MY_DAY_LIMIT + 1),
        revisit_selectors.MY_DAY_LIMIT,
    )
    return Reminders(care_dates_ahead(actor, today), reviews, reviews_more, tasks, tasks_more)


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


@prepared_in_scope("view", shape=("which",))
def _care_dates(customers: QuerySet[Customer], *, which: str, me: int, days: tuple) -> QuerySet:
    mine = customers.filter(owner_id=me, state__in=ACTIVE_STATES)
    if which == "birthdays":
        return (
            mine.filter(birthday__isnull=False)
            .annotate(md=MonthDay("birthday"))
            .filter(md__in=days)
            .only("id", "name", "birthday")[:AGENDA_LIMIT]
        )
    return (
        KeyDate.objects.annotate(md=MonthDay("date"))
        # EXISTS, not IN: the planner then starts from the week's dates, not from every customer
        .filter(Exists(mine.filter(pk=OuterRef("customer_id"))), md__in=days)
        .select_related("customer")
        .only("date", "kind", "note", "customer__id", "customer__name")[:AGENDA_LIMIT]
    )


def care_dates_ahead(actor: User, today: date) -> list[tuple[date, str, Customer]]:
    """Birthdays and key care dates in the next 7 days, recurring yearly. Both reads go
    by a month-and-day index (customer_birthday, keydate_month_day)."""
    window = [today + timedelta(days=i) for i in range(CARE_WINDOW_DAYS + 1)]
    month_days = {month_day(d) for d in window}
    if 228 in month_days:
        month_days.add(229)  # born on 29 February: celebrated on the 28th
    out: list[tuple[date, str, Customer]] = []
    days = tuple(sorted(month_days))
    for customer in _care_dates(actor, which="birthdays", me=actor.pk, days=days):
        out.append((_next_occurrence(customer.birthday, today), "birthday", customer))
    for key_date in _care_dates(actor, which="key_dates", me=actor.pk, days=days):
        label = key_date.get_kind_display() + (f" · {key_date.note}" if key_date.note else "")
        out.append((_next_occurrence(key_date.date, today), label, key_date.customer))
    return sorted(out, key=lambda item: (item[0], item[2].name))
