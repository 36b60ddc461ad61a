"""Reads of supervisor review (主管批示): the manager's queue, comments received, counts.

Each function runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from anchang import pagination as keyset
from anchang import permissions
from anchang.customers.selectors import customers_for, prepared_in_scope
from anchang.dates import start_of
from anchang.followups.models import FollowUp, Review, ReviewCursor
from anchang.followups.policies import review_project_ids
from anchang.lookups import get_in_scope
from anchang.org.models import Project, User

QUEUE_LIMIT = 200  # the API's largest page
PAGE_SIZE = 20  # the page's: twenty cards are a few screens on a phone
COUNT_CAP = 10_000  # "more than 10,000 waiting" past this: counting further says nothing new
RECEIVED_LIMIT = 10  # My day shows these; reading them brings up the next
# Without a cursor (a manager's first visit) the queue starts this far back.
DEFAULT_WINDOW = timedelta(days=7)
RECEIVED_WINDOW_DAYS = 7
# A follow-up may be entered up to a month after it happened (services.OLDEST) and a few
# minutes "early" (clock skew): bounding occurred_at as well lets the database use the
# (project, -occurred_at) index instead of reading the project's whole history.
ENTRY_LAG = timedelta(days=32)


def review_projects(actor: User) -> QuerySet[Project]:
    """The projects whose follow-ups the actor reviews (policies.review_project_ids)."""
    return Project.objects.filter(pk__in=review_project_ids(actor), is_active=True).order_by(
        "name", "id"
    )


def _reviews_prefetch() -> Prefetch:
    return Prefetch(
        "reviews",
        queryset=Review.objects.select_related("reviewer").order_by("created_at", "id"),
    )


def _for_display(queryset: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    return queryset.select_related("customer", "author", "project").prefetch_related(
        _reviews_prefetch()
    )


@dataclass
class ReviewQueue:
    followups: list[FollowUp]  # oldest first, each with .reviews.all() prefetched
    projects: list[Project]  # the projects this queue covers
    drawn_at: datetime  # "mark done" moves the cursor here, not past unseen records
    truncated: bool  # more records wait after this page
    waiting: int = 0  # records waiting in all (this consultant's, if chosen), up to COUNT_CAP
    waiting_capped: bool = False  # more than COUNT_CAP wait
    next_cursor: str | None = None  # the next page (keyset), when truncated


def review_queue(
    actor: User,
    project: Project | None = None,
    *,
    after: tuple[datetime, int] | None = None,
    consultant: int | None = None,
    limit: int | None = None,
) -> ReviewQueue:
    """Follow-ups entered since the actor's last review (their cursor per project; no cursor:
    the last 7 days), in projects they review, not their own, oldest first; `limit` per page
    from `after` (the previous page's last (entered_at, id)), one consultant's if given."""
    now = timezone.now()
    limit = limit or QUEUE_LIMIT
    projects = list(review_projects(actor))
    if project is not None:
        projects = [p for p in projects if p.pk == project.pk]
    if not projects:
        return ReviewQueue([], [], now, truncated=False)
    cursors = dict(
        ReviewCursor.objects.filter(reviewer=actor, project__in=projects).values_list(
            "project_id", "reviewed_until"
        )
    )
    since_q = Q()
    for p in projects:
        since = cursors.get(p.pk) or now - DEFAULT_WINDOW
        since_q |= Q(project_id=p.pk, entered_at__gt=since, occurred_at__gt=since - ENTRY_LAG)
    # No customer filter: in these projects the actor may reassign every customer
    # (review_project_ids), and a subquery over a large project's customers would cost more
    # than the whole queue.
    waiting_q = FollowUp.objects.filter(since_q, entered_at__lte=now).exclude(author=actor)
    if consultant is not None:
        waiting_q = waiting_q.filter(author_id=consultant)
    page_q = waiting_q
    if after is not None:
        at, pk = after
        page_q = page_q.filter(Q(entered_at__gt=at) | Q(entered_at=at, id__gt=pk))
    rows = list(_for_display(page_q.order_by("entered_at", "id"))[: limit + 1])
    truncated = len(rows) > limit
    drawn_at = now
    if truncated:
        # With more waiting than shown, "done" stops at the last record shown (the pages
        # before it were shown first); if the first unshown one was entered at that same
        # instant, just before it (a record shown twice beats one never shown).
        last, first_unshown = rows[limit - 1].entered_at, rows[limit].entered_at
        drawn_at = last if last < first_unshown else last - timedelta(microseconds=1)
        rows = rows[:limit]
    # Bounded: the queue index counts a few thousand rows in milliseconds; past the cap the
    # page says "more than 10,000".
    waiting = waiting_q.order_by()[: COUNT_CAP + 1].count()
    return ReviewQueue(
        rows, projects, drawn_at, truncated,
        waiting=min(waiting, COUNT_CAP), waiting_capped=waiting > COUNT_CAP,
        next_cursor=keyset.encode(rows[-1].entered_at, rows[-1].pk) if truncated else None,
    )  # fmt: skip


def review_consultants(projects: list[Project]) -> list[User]:
    """The consultants of these projects, for the queue's filter."""
    return list(
        User.objects.filter(
            memberships__project__in=projects,
            memberships__role__in=permissions.duty_roles("reviewed"),
            memberships__is_active=True,
        ).distinct().only("id", "name", "username").order_by("name", "username", "id")
    )  # fmt: skip


def followup_for_review(*, actor: User, pk) -> FollowUp:
    """A follow-up the actor may see, with what the queue shows of it; 404 otherwise.
    Whether they may comment is the service's decision (403 for a consultant)."""
    visible = customers_for(actor, "view").values("pk")
    return get_in_scope(_for_display(FollowUp.objects.filter(customer__in=visible)), pk)


def received_reviews(consultant: User) -> QuerySet[Review]:
    """Comments addressed to the consultant, with the follow-up and its customer; the
    customer is marked visible only while the consultant may still open their card."""
    visible = customers_for(consultant, "view").filter(pk=OuterRef("followup__customer_id"))
    return (
        Review.objects.filter(consultant=consultant)
        .select_related("reviewer", "followup", "followup__customer")
        .annotate(customer_visible=Exists(visible))
        .order_by("-created_at", "-id")
    )


def review_get_received(*, actor: User, pk) -> Review:
    """One comment addressed to the actor; 404 for anyone else's."""
    return get_in_scope(received_reviews(actor), pk)


@prepared_in_scope("view", shape=("limit",))
def _received(customers: QuerySet, *, me: int, since: datetime, limit: int) -> QuerySet[Review]:
    visible = customers.filter(pk=OuterRef("followup__customer_id"))
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return (
        Review.objects.filter(Q(read_at__isnull=True) | Q(created_at__gte=since), consultant_id=me)
        .select_related("reviewer", "followup", "followup__customer")
        .annotate(customer_visible=Exists(visible))
        .only(
            "id",
            "comment",
            "created_at",
            "read_at",
            "reviewer_id",
            "followup_id",
            "reviewer__name",
            "reviewer__username",
            "followup__kind",
            "followup__content",
            "followup__occurred_at",
            "followup__customer_id",
            "followup__customer__name",
        )  # fmt: skip
        .order_by(unread.desc(), "-created_at", "-id")[:limit]
    )


def reviews_received(
    consultant: User, today: date | None = None, limit: int = RECEIVED_LIMIT
) -> list[Review]:
    """For My day: the unread comments, then the read ones of the last 7 days; newest first
    in each. The customer is marked visible only while the consultant may still open their
    card (as received_reviews marks it)."""
    today = today or timezone.localdate()
    since = start_of(today - timedelta(days=RECEIVED_WINDOW_DAYS))
    return _received(consultant, me=consultant.pk, since=since, limit=limit)


def period_start(days: int, today: date | None = None) -> datetime:
    """The start of a period of `days` days ending today: 1 is today since midnight."""
    today = today or timezone.localdate()
    return start_of(today - timedelta(days=max(days, 1) - 1))


@dataclass
class ConsultantCounts:
    user: User
    followups_recorded: int = 0
    followups_commented: int = 0
    comments_received: int = 0


@dataclass
class ManagerCounts:
    user: User
    comments_given: int = 0


@dataclass
class ReviewCounts:
    since: datetime
    projects: list[Project]
    consultants: list[ConsultantCounts]
    managers: list[ManagerCounts]


def _users(ids: set[int]) -> dict[int, User]:
    return {u.pk: u for u in User.objects.filter(pk__in=ids).only("id", "username", "name")}


def review_counts(actor: User, since: datetime, project: Project | None = None) -> ReviewCounts:
    """Per consultant: follow-ups recorded since `since`, how many of their follow-ups got a
    comment and how many comments they got; per manager: comments given. Only projects the
    actor reviews; every consultant of them is listed, a zero is news too. Four queries."""
    projects = list(review_projects(actor))
    if project is not None:
        projects = [p for p in projects if p.pk == project.pk]
    ids = [p.pk for p in projects]
    if not ids:
        return ReviewCounts(since, [], [], [])
    recorded = dict(
        FollowUp.objects.filter(
            project_id__in=ids, entered_at__gte=since, occurred_at__gt=since - ENTRY_LAG
        )
        .values("author_id")
        .annotate(n=Count("id"))
        .values_list("author_id", "n")
    )
    given = Review.objects.filter(project_id__in=ids, created_at__gte=since)
    received = {
        row["consultant_id"]: row
        for row in given.values("consultant_id").annotate(
            comments=Count("id"), followups=Count("followup_id", distinct=True)
        )
    }
    by_reviewer = dict(
        given.values("reviewer_id").annotate(n=Count("id")).values_list("reviewer_id", "n")
    )
    staff = set(
        User.objects.filter(
            is_active=True, memberships__project_id__in=ids,
            memberships__role__in=permissions.duty_roles("reviewed"),
            memberships__is_active=True,
        ).values_list("id", flat=True)
    )  # fmt: skip
    users = _users(staff | set(recorded) | set(received) | set(by_reviewer))

    consultants = [
        ConsultantCounts(
            users[uid],
            recorded.get(uid, 0),
            received.get(uid, {}).get("followups", 0),
            received.get(uid, {}).get("comments", 0),
        )  # fmt: skip
        for uid in staff | set(recorded) | set(received)
        if uid in users
    ]
    consultants.sort(key=lambda c: (-c.followups_recorded, str(c.user)))
    managers = [ManagerCounts(users[uid], n) for uid, n in by_reviewer.items() if uid in users]
    managers.sort(key=lambda m: (-m.comments_given, str(m.user)))
    return ReviewCounts(since, projects, consultants, managers)
