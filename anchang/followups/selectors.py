"""Reads of the follow-up engine: the consultant's day, a customer's follow-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from anchang.customers.choices import FOLLOWED_STATES
from anchang.customers.models import Customer, KeyDate
from anchang.customers.policies import can_see_full_phone
from anchang.customers.selectors import customers_for
from anchang.dates import start_of
from anchang.dbfunctions import MonthDay, month_day
from anchang.followups.models import FollowUp
from anchang.org.models import User

AGENDA_LIMIT = 200
# My day lists the most pressing rows and counts the rest (the customer list shows them all):
# nobody works through 500 overdue customers in a morning, and rendering them costs.
OVERDUE_SHOWN = 20
DUE_SHOWN = 30
NEW_SHOWN = 20
ACTIVE_STATES = FOLLOWED_STATES
NEW_WITHIN_DAYS = 14
CARE_WINDOW_DAYS = 7


# Overdue lists, worst first: the grade nearest to buying first (an A customer 8 days late
# before a D customer 1 day late), then the most days late. Ungraded last.
GRADE_ORDER = ("H", "A", "B", "C", "D")


def grade_weight() -> Case:
    return Case(
        *(When(grade=g, then=Value(i)) for i, g in enumerate(GRADE_ORDER)),
        default=Value(len(GRADE_ORDER)),
        output_field=IntegerField(),
    )


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
    """The agenda, first on the page: the counts, whom to follow up today, and who is about
    to return to the pool."""

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
    pool_warnings: list = field(default_factory=list)  # (customer, Reclaim), soonest first
    pool_more: bool = False


@dataclass
class Reminders:
    """The rest of My day, drawn after the agenda: care dates, the manager's comments, and
    revisit tasks. Each list holds the first few and says whether there are more."""

    care_dates: list[tuple[date, str, Customer]]  # (day, what, customer)
    reviews_received: list = field(default_factory=list)
    reviews_more: bool = False
    revisit_tasks: list = field(default_factory=list)
    revisit_more: bool = False


def _mine(actor: User) -> QuerySet[Customer]:
    return customers_for(actor, "view").filter(owner=actor, state__in=ACTIVE_STATES)


# What the agenda rows show (My day and its API), in AgendaRow's order.
AGENDA_FIELDS = ("id", "name", "grade", "next_follow_up_on", "created_at", "phone", "project_id")


def _rows(queryset: QuerySet[Customer], limit: int) -> list[AgendaRow]:
    return [AgendaRow(*values) for values in queryset.values_list(*AGENDA_FIELDS)[:limit]]


def _new_since(today: date) -> datetime:
    return start_of(today - timedelta(days=NEW_WITHIN_DAYS))


def _figures(actor: User, today: date) -> dict[str, int]:
    """Every count My day shows, in one pass over the customer_day index (it holds each
    column counted here, so no customer row is read). Count("owner"), not "id": PostgreSQL
    reads the index alone only when every column named is in it (owner is never null here)."""
    active = Q(state__in=ACTIVE_STATES)
    return (
        customers_for(actor, "view")
        .filter(owner=actor)
        .aggregate(
            total=Count("owner"),
            new_today=Count("owner", filter=Q(created_at__gte=start_of(today))),
            new_week=Count("owner", filter=Q(created_at__gte=start_of(today - timedelta(days=6)))),
            due=Count("owner", filter=active & Q(next_follow_up_on=today)),
            overdue=Count("owner", filter=active & Q(next_follow_up_on__lt=today)),
            recent=Count("owner", filter=active & Q(created_at__gte=_new_since(today))),
        )
    )


def _first(rows: list, shown: int) -> tuple[list, bool]:
    """Rows read with one extra: the ones to show, and whether there are more."""
    return rows[:shown], len(rows) > shown


def my_day(actor: User, today: date | None = None) -> MyDay:
    """The agenda: one count pass, then an indexed read per list returning only the rows
    shown; a list whose count is 0 is not read at all."""
    from anchang.pool.selectors import WARNINGS_LIMIT, pool_warnings  # the pool builds on us

    today = today or timezone.localdate()
    figures = _figures(actor, today)
    mine = _mine(actor)
    due: list[AgendaRow] = []
    overdue: list[AgendaRow] = []
    if figures["due"]:
        due = _rows(mine.filter(next_follow_up_on=today).order_by("name_pinyin"), DUE_SHOWN)
    if figures["overdue"]:
        overdue_q = (
            mine.filter(next_follow_up_on__lt=today)
            .annotate(weight=grade_weight())
            .order_by("weight", "next_follow_up_on", "id")
        )
        overdue = _rows(overdue_q, OVERDUE_SHOWN)
    for row in overdue:
        row.days_overdue = (today - row.next_follow_up_on).days
    new: list[AgendaRow] = []
    if figures["recent"]:
        has_followup = FollowUp.objects.filter(customer=OuterRef("pk"))
        new_q = mine.filter(~Exists(has_followup), created_at__gte=_new_since(today))
        new = _rows(new_q.order_by("-created_at"), NEW_SHOWN)
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
    warnings, more = _first(pool_warnings(actor, limit=WARNINGS_LIMIT + 1), WARNINGS_LIMIT)
    return MyDay(
        today, due, overdue, figures["due"], figures["overdue"], new,
        total=figures["total"], new_today=figures["new_today"], new_week=figures["new_week"],
        pool_warnings=warnings, pool_more=more,
    )  # fmt: skip


def my_day_reminders(actor: User, today: date | None = None) -> Reminders:
    """Care dates of the coming week, comments received and revisit tasks: three reads."""
    from anchang.followups.review_selectors import RECEIVED_LIMIT, reviews_received
    from anchang.followups.revisit_selectors import MY_DAY_LIMIT, revisit_tasks_due

    today = today or timezone.localdate()
    reviews, reviews_more = _first(
        reviews_received(actor, today, limit=RECEIVED_LIMIT + 1), RECEIVED_LIMIT
    )
    tasks, tasks_more = _first(
        revisit_tasks_due(actor, today, limit=MY_DAY_LIMIT + 1), MY_DAY_LIMIT
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


def care_dates_ahead(actor: User, today: date) -> list[tuple[date, str, Customer]]:
    """Birthdays and key care dates in the next 7 days, recurring yearly. Both reads go
    by a month-and-day index (customer_birthday, keydate_month_day)."""
    window = [today + timedelta(days=i) for i in range(CARE_WINDOW_DAYS + 1)]
    month_days = {month_day(d) for d in window}
    if 228 in month_days:
        month_days.add(229)  # born on 29 February: celebrated on the 28th
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
        KeyDate.objects.annotate(md=MonthDay("date"))
        # EXISTS, not IN: the planner then starts from the week's dates, not from every customer
        .filter(Exists(mine.filter(pk=OuterRef("customer_id"))), md__in=month_days)
        .select_related("customer")
        .only("date", "kind", "note", "customer__id", "customer__name")
    )
    for key_date in key_dates[:AGENDA_LIMIT]:
        label = key_date.get_kind_display() + (f" · {key_date.note}" if key_date.note else "")
        out.append((_next_occurrence(key_date.date, today), label, key_date.customer))
    return sorted(out, key=lambda item: (item[0], item[2].name))


def followups_visible(actor: User) -> QuerySet[FollowUp]:
    """Follow-ups on the customers the actor may view, whoever wrote them: a consultant no
    longer reads those on customers they lost or handed over, though they wrote them."""
    return (
        FollowUp.objects.filter(customer__in=customers_for(actor, "view").values("pk"))
        .select_related("author")
        .order_by("-id")
    )


def customer_followups(customer: Customer, limit: int = 100) -> QuerySet[FollowUp]:
    return customer.followups.select_related("author").order_by("-occurred_at")[:limit]


def customer_intent_card(
    customer: Customer, *, limit: int = 100, oldest_first: bool = False
) -> QuerySet[FollowUp]:
    """The follow-ups as the paper intent card (意向客户管理卡) lists them: each contact with
    the grade judged, impression, bottleneck, plan and next date, and the manager's comments
    (主管批示) beside it. Two queries whatever the rows."""
    from anchang.followups.models import Review

    reviews = Prefetch(
        "reviews", queryset=Review.objects.select_related("reviewer").order_by("created_at")
    )
    order = "occurred_at" if oldest_first else "-occurred_at"
    return (customer.followups.select_related("author").prefetch_related(reviews).order_by(order))[
        :limit
    ]


CARD_ROWS = 50  # the customer's card shows the latest follow-ups
PRINT_ROWS = 500  # the printed card all of them: a year of weekly contacts, several times over


def intent_card_rows(customer: Customer, *, printed: bool) -> QuerySet[FollowUp]:
    """The follow-ups section of the customer's card: the latest on screen, every one (oldest
    first) on paper."""
    if printed:
        return customer_intent_card(customer, limit=PRINT_ROWS, oldest_first=True)
    return customer_intent_card(customer, limit=CARD_ROWS)


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


@dataclass(frozen=True)
class GradeHistoryRow:
    at: datetime | None
    actor: object
    from_grade: str
    to_grade: str
    suggested: str
    reason: str
    confirmed: bool  # the same grade given again, with a reason
    untracked: bool = False  # the card's grade, set before changes were recorded


def grade_history(customer: Customer, limit: int = 20) -> list[GradeHistoryRow]:
    """The grade changes, newest first, agreeing with the card: if the newest recorded grade
    is not the card's (a grade set before every path recorded one), the card's grade leads
    the list as set earlier without a record, instead of the list saying "no grade yet"."""
    changes = list(customer.grade_changes.select_related("actor").order_by("-at", "-id")[:limit])
    rows = [
        GradeHistoryRow(
            at=c.at,
            actor=c.actor,
            from_grade=c.from_grade,
            to_grade=c.to_grade,
            suggested=c.suggested,
            reason=c.reason,
            confirmed=c.from_grade == c.to_grade,
        )  # fmt: skip
        for c in changes
    ]
    newest = changes[0].to_grade if changes else ""
    if customer.grade and customer.grade != newest:
        rows.insert(
            0,
            GradeHistoryRow(
                at=None,
                actor=None,
                from_grade=newest,
                to_grade=customer.grade,
                suggested="",
                reason="",
                confirmed=False,
                untracked=True,
            ),  # fmt: skip
        )
    return rows
