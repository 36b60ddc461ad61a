"""Reads of the follow-up engine: a customer's follow-ups and grades, loss applications.
My day has its own module, followups.my_day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)

from anchang.customers.choices import FOLLOWED_STATES
from anchang.customers.models import Customer
from anchang.customers.selectors import customers_for
from anchang.followups.models import FollowUp
from anchang.org.models import User
from anchang.prepared import prepared

ACTIVE_STATES = FOLLOWED_STATES


# Overdue lists, worst first: the grade nearest to buying first (an A customer 8 days late
# before a D customer 1 day late), then the most days late. Ungraded last.
GRADE_ORDER = ("H", "A", "B", "C", "D")


def grade_weight() -> Case:
    return Case(
        *(When(grade=g, then=Value(i)) for i, g in enumerate(GRADE_ORDER)),
        default=Value(len(GRADE_ORDER)),
        output_field=IntegerField(),
    )


def followups_visible(actor: User) -> QuerySet[FollowUp]:
    """Follow-ups on the customers the actor may view, whoever wrote them: a consultant no
    longer reads those on customers they lost or handed over, though they wrote them."""
    return (
        FollowUp.objects.filter(customer__in=customers_for(actor, "view").values("pk"))
        .select_related("author")
        .order_by("-id")
    )


@prepared(shape=("limit",))
def _followups(*, customer: int, limit: int) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(customer_id=customer)
        .select_related("author")
        .order_by("-occurred_at")[:limit]
    )


def customer_followups(customer: Customer, limit: int = 100) -> list[FollowUp]:
    return _followups(customer=customer.pk, limit=limit)


# What the card and the printed card show of a follow-up and its author (their partials
# read nothing else; tests/customers/test_pages.py counts the card's queries as rows grow).
# The whole rows with the author's every column cost a fiftieth-row card ~5 % more CPU.
INTENT_CARD_FIELDS = (
    "id", "customer", "occurred_at", "kind", "reached", "grade", "is_backdated", "content",
    "impression", "bottleneck", "plan", "next_on", "author__id", "author__name",
    "author__username",
)  # fmt: skip


@prepared(shape=("limit",))
def _intent_card(*, customer: int, limit: int, oldest_first: bool) -> QuerySet[FollowUp]:
    order = "occurred_at" if oldest_first else "-occurred_at"
    rows = FollowUp.objects.filter(customer_id=customer).select_related("author")
    return rows.only(*INTENT_CARD_FIELDS).order_by(order)[:limit]


@prepared
def _comments_within(*, customer: int, edge: datetime, oldest_first: bool) -> QuerySet:
    """The manager's comments on the customer's follow-ups up to `edge` (the last one
    shown): the rows shown's comments, in one statement whatever their ids."""
    from anchang.followups.models import Review

    within = (
        Q(followup__occurred_at__lte=edge) if oldest_first else Q(followup__occurred_at__gte=edge)
    )
    comments = Review.objects.filter(within, followup__customer_id=customer)
    return comments.select_related("reviewer").order_by("created_at", "id")


def customer_intent_card(
    customer: Customer, *, limit: int = 100, oldest_first: bool = False
) -> list[FollowUp]:
    """The follow-ups as the paper intent card (意向客户管理卡) lists them: each contact with
    the grade judged, impression, bottleneck, plan and next date, and the manager's comments
    (主管批示) beside it, as `card_reviews`. Two queries whatever the rows."""
    rows = _intent_card(customer=customer.pk, limit=limit, oldest_first=oldest_first)
    for row in rows:
        row.card_reviews = []
    if rows:
        shown = {row.pk: row for row in rows}
        edge = rows[-1].occurred_at
        for comment in _comments_within(customer=customer.pk, edge=edge, oldest_first=oldest_first):
            if comment.followup_id in shown:  # not a row past the edge at the same moment
                shown[comment.followup_id].card_reviews.append(comment)
    return rows


CARD_ROWS = 50  # the customer's card shows the latest follow-ups
PRINT_ROWS = 500  # the printed card all of them: a year of weekly contacts, several times over


def intent_card_rows(customer: Customer, *, printed: bool) -> list[FollowUp]:
    """The follow-ups section of the customer's card: the latest on screen, every one (oldest
    first) on paper."""
    if printed:
        return customer_intent_card(customer, limit=PRINT_ROWS, oldest_first=True)
    return customer_intent_card(customer, limit=CARD_ROWS)


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
