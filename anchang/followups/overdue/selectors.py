"""逾期跟进: customers whose next follow-up date has passed, worst first.

"Worst" is the grade's weight first (an A customer 8 days late before a D customer 1 day
late: the closer the customer is to buying, the more a late call costs), then days late.
Scoped like the customer list (customers_for(actor, "list")); a bounded offset keeps the
deepest page cheap enough, and the count is bounded too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.customers.models import Customer
from anchang.customers.selectors import customers_for, team_board
from anchang.errors import ValidationFailed
from anchang.followups.selectors import ACTIVE_STATES, GRADE_ORDER, grade_weight
from anchang.org.models import Project, User

PAGE_SIZE = 50
MAX_PAGES = 100  # 5,000 customers deep: nobody calls further down a list than that
COUNT_CAP = 10_000
MAX_DAYS = 3660
NO_GRADE = "none"
_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII digits only: ² or ١ is refused, not a 500


@dataclass(slots=True)
class OverdueRow:
    id: int
    name: str
    grade: str
    next_follow_up_on: date
    owner_id: int | None
    owner_name: str
    project_name: str
    days_late: int = 0

    @property
    def pk(self) -> int:
        return self.id


@dataclass
class OverdueQuery:
    grade: str | None  # one of GRADE_ORDER, NO_GRADE, or None for every grade
    min_days: int  # at least this many days late (1: every overdue customer)
    owner: int | None
    page: int


@dataclass
class OverdueList:
    query: OverdueQuery
    rows: list[OverdueRow]
    total: int  # up to COUNT_CAP
    total_capped: bool
    has_next: bool
    today: date


def _number(raw: object, field: str, low: int, high: int, message: str) -> int | None:
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if not _NUMBER.fullmatch(text) or not low <= int(text) <= high:
        raise ValidationFailed(fields={field: message})
    return int(text)


def parse_overdue_query(params) -> OverdueQuery:
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    grade = str(params.get("grade") or "").strip()
    if grade and grade not in (*GRADE_ORDER, NO_GRADE):
        errors["grade"] = _("Choose a grade from the list.")
    days = _("Give a whole number of days from 1 to %(n)d.") % {"n": MAX_DAYS}
    checks = {
        "min_days": (1, MAX_DAYS, days),
        "owner": (1, 10**9 - 1, _("Choose a consultant from the list.")),
        "page": (1, MAX_PAGES, _("Give a page from 1 to %(n)d.") % {"n": MAX_PAGES}),
    }  # fmt: skip
    for field, (low, high, message) in checks.items():
        try:
            values[field] = _number(params.get(field), field, low, high, message)
        except ValidationFailed as error:
            errors.update({k: str(v) for k, v in error.fields.items()})
    if errors:
        raise ValidationFailed(fields=errors)
    return OverdueQuery(
        grade=grade or None, min_days=values["min_days"] or 1, owner=values["owner"],
        page=values["page"] or 1,
    )  # fmt: skip


def overdue_customers(actor: User, query: OverdueQuery, today: date | None = None) -> OverdueList:
    """The page of overdue customers the actor may list, worst first. Three queries."""
    today = today or timezone.localdate()
    late: QuerySet[Customer] = customers_for(actor, "list").filter(
        state__in=ACTIVE_STATES,
        owner__isnull=False,
        next_follow_up_on__lte=today - timedelta(days=query.min_days),
    )
    if query.grade == NO_GRADE:
        late = late.filter(grade="")
    elif query.grade:
        late = late.filter(grade=query.grade)
    if query.owner:
        late = late.filter(owner_id=query.owner)
    start = (query.page - 1) * PAGE_SIZE
    values = (
        late.annotate(weight=grade_weight())
        .order_by("weight", "next_follow_up_on", "id")
        .values_list(
            "id", "name", "grade", "next_follow_up_on", "owner_id", "owner__name",
            "owner__username", "project__name",
        )[start : start + PAGE_SIZE + 1]
    )  # fmt: skip
    rows = [
        OverdueRow(
            pk, name, grade, due, owner, owner_name or username, project, (today - due).days
        )  # fmt: skip
        for pk, name, grade, due, owner, owner_name, username, project in values
    ]
    total = late.order_by()[: COUNT_CAP + 1].count()
    return OverdueList(
        query, rows[:PAGE_SIZE], min(total, COUNT_CAP), total > COUNT_CAP,
        len(rows) > PAGE_SIZE and query.page < MAX_PAGES, today,
    )  # fmt: skip


def overdue_owners(actor: User) -> list[User]:
    """The consultants whose overdue customers the actor may list: the filter's choices."""
    owners = customers_for(actor, "list").filter(owner__isnull=False).values("owner_id")
    return list(
        User.objects.filter(pk__in=owners, is_active=True)
        .only("id", "name", "username")
        .order_by("name", "username", "id")[:500]
    )


def team_overview(actor: User, projects: list[Project]) -> list[dict]:
    """A manager's home, project by project: the customers' figures and each consultant's
    board (customers, new today, overdue, due today), the most overdue first."""
    boards = team_board(actor, projects, timezone.localdate())
    return [
        {
            "project": project,
            "figures": {
                "total": board.total,
                "new_today": board.new_today,
                "unowned": board.unowned,
            },  # fmt: skip
            "owners": board.owners,
        }
        for project in projects
        for board in [boards[project.pk]]
    ]
