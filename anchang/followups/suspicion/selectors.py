"""Reads for the suspicious-records report (可疑记录): the stored flags, any period, paged.

Flags are detected once and stored (suspicion.services; the tick), so the report reads one
indexed table: newest first by the record's entry, a keyset cursor, a bounded total and
the flags per consultant. Scope as everywhere in review: the projects whose follow-ups
the actor reviews (review_projects), records of customers they may reassign. A fixed
number of queries whatever the number of flags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang import pagination as keyset
from anchang.customers.selectors import customers_for
from anchang.dates import start_of
from anchang.errors import PermissionDenied, ValidationFailed
from anchang.followups.models import SuspicionFlag
from anchang.followups.reviews.selectors import review_projects
from anchang.followups.suspicion import rules as suspicion
from anchang.org import policies
from anchang.org.models import Project, User
from anchang.org.selectors import project_rules
from anchang.validators import window_problems

DEFAULT_DAYS = 30
PERIODS = (7, 30, 90, 365)  # what the page offers as one tap; any dates otherwise
MAX_DAYS = 3660  # ten years: any period an office keeps records for
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
COUNT_CAP = 10_000  # the total says ">10,000" past this: counting further costs, says little
KINDS = tuple(SuspicionFlag.Kind.values)
_ID = re.compile(r"[0-9]{1,9}")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


@dataclass
class FlagRow:
    """One flagged record as the page and the API show it."""

    flag: SuspicionFlag  # with followup, customer, author, project loaded
    reason: str

    @property
    def kind(self) -> str:
        return self.flag.kind

    @property
    def followup(self):
        return self.flag.followup


@dataclass
class SuspicionQuery:
    project: Project | None
    kind: str | None
    consultant: int | None
    since: datetime  # first instant of the first day (the project's time zone)
    until: datetime  # first instant after the last day
    first_day: date
    last_day: date
    days: int | None  # the period as "last N days", when it was given so
    cursor: tuple[datetime, int] | None
    page_size: int


@dataclass
class SuspicionReport:
    projects: list[Project]  # the projects the actor may choose from
    query: SuspicionQuery
    rows: list[FlagRow]  # newest first
    next_cursor: str | None
    total: int  # flags matching, counted up to COUNT_CAP
    total_capped: bool  # more than COUNT_CAP match
    # per consultant over the period (all kinds): (user, {kind: n}), most flags first
    counts: list[tuple[Consultant, dict[str, int]]]

    @property
    def project(self) -> Project | None:
        return self.query.project


def suspicion_projects(actor: User) -> list[Project]:
    """The projects whose follow-ups the actor reviews (the same as the review queue's)."""
    return list(review_projects(actor))


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(fields={field: message})


def _text(raw: object) -> str:
    return "" if raw is None else str(raw).strip()


def parse_days(raw: object) -> int | None:
    text = _text(raw)
    if not text:
        return None
    if not _ID.fullmatch(text) or not 1 <= int(text) <= MAX_DAYS:
        raise _invalid("days", _("Give a whole number of days from 1 to %(n)d.") % {"n": MAX_DAYS})
    return int(text)


def parse_date(raw: object, field: str) -> date | None:
    text = _text(raw)
    if not text:
        return None
    match = _DATE.fullmatch(text)
    try:
        if match is None:
            raise ValueError
        day = date(*(int(part) for part in match.groups()))
    except ValueError:
        raise _invalid(field, _("Give a date as YYYY-MM-DD.")) from None
    if not 2000 <= day.year <= 2100:
        raise _invalid(field, _("Give a date between 2000 and 2100."))
    return day


def parse_project(raw: object, projects: list[Project]) -> Project | None:
    """One of the actor's projects by id, or None (all of them) when not given. Another
    project's id is refused like a made-up one, so ids reveal nothing."""
    if isinstance(raw, Project):
        raw = raw.pk
    text = _text(raw)
    if not text:
        return None
    if not _ID.fullmatch(text):
        raise _invalid("project", _("Give a project id."))
    chosen = next((p for p in projects if p.pk == int(text)), None)
    if chosen is None:
        raise _invalid("project", _("Choose one of the projects you review."))
    return chosen


def parse_kind(raw: object) -> str | None:
    text = _text(raw)
    if not text:
        return None
    if text not in KINDS:
        raise _invalid("kind", _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(KINDS)})
    return text


def parse_consultant(raw: object) -> int | None:
    text = _text(raw)
    if not text:
        return None
    if not _ID.fullmatch(text) or int(text) < 1:
        raise _invalid("consultant", _("Give a consultant's id."))
    return int(text)


def parse_page_size(raw: object) -> int:
    text = _text(raw)
    if not text:
        return PAGE_SIZE
    if not _ID.fullmatch(text) or not 1 <= int(text) <= MAX_PAGE_SIZE:
        raise _invalid("page_size", _("Give a page size from 1 to %(n)d.") % {"n": MAX_PAGE_SIZE})
    return int(text)


def parse_cursor(raw: object) -> tuple[datetime, int] | None:
    return keyset.decode(raw)


def parse_query(actor: User, params, projects: list[Project]) -> SuspicionQuery:
    """The report's filters from query-string values; ValidationFailed names each bad one."""
    errors: dict[str, str] = {}
    values = {}
    parsers = {
        "project": lambda v: parse_project(v, projects),
        "kind": parse_kind,
        "consultant": parse_consultant,
        "days": parse_days,
        "from": lambda v: parse_date(v, "from"),
        "to": lambda v: parse_date(v, "to"),
        "cursor": parse_cursor,
        "page_size": parse_page_size,
    }
    codes = set()
    for name, parse in parsers.items():
        try:
            values[name] = parse(params.get(name))
        except ValidationFailed as error:
            errors.update({k: str(v) for k, v in error.fields.items()})
            codes.add(error.code)
    if errors:
        # One bad thing keeps its own code (a broken cursor is `invalid_cursor` on every list).
        raise ValidationFailed(fields=errors, code=codes.pop() if len(codes) == 1 else None)
    today = timezone.localdate()
    days = values["days"]
    first_day, last_day = values["from"], values["to"]
    if first_day or last_day:
        days = None
        last_day = last_day or today
        first_day = first_day or last_day - timedelta(days=DEFAULT_DAYS - 1)
        if window_problems(first_day, last_day):  # dates already: only the order can fail
            raise _invalid("from", _("The first day comes after the last day."))
    else:
        days = days or DEFAULT_DAYS
        last_day, first_day = today, today - timedelta(days=days - 1)
    return SuspicionQuery(
        project=values["project"], kind=values["kind"], consultant=values["consultant"],
        since=start_of(first_day), until=start_of(last_day + timedelta(days=1)),
        first_day=first_day, last_day=last_day, days=days, cursor=values["cursor"],
        page_size=values["page_size"],
    )  # fmt: skip


def _in_period(query: SuspicionQuery, projects: list[Project]):
    in_scope = [query.project] if query.project else projects
    return SuspicionFlag.objects.filter(
        project_id__in=[p.pk for p in in_scope],
        entered_at__gte=query.since,
        entered_at__lt=query.until,
    )


def suspicious_followups(actor: User, params=None) -> SuspicionReport:
    """The stored flags in the projects the actor reviews, filtered by `params` (project,
    kind, consultant, days or from/to, cursor, page_size). Raises PermissionDenied for a
    role without the review pages, ValidationFailed for any bad parameter."""
    if not policies.can_open_page(actor=actor, page="reviews"):
        raise PermissionDenied()
    projects = suspicion_projects(actor)
    query = parse_query(actor, params or {}, projects)
    if not projects:
        return SuspicionReport(projects, query, [], None, 0, False, [])
    period = _in_period(query, projects)
    matching = period
    if query.kind:
        matching = matching.filter(kind=query.kind)
    if query.consultant:
        matching = matching.filter(author_id=query.consultant)
    page_q = matching
    if query.cursor:
        at, pk = query.cursor
        page_q = page_q.filter(Q(entered_at__lt=at) | Q(entered_at=at, id__lt=pk))
    # Two steps: the page's keys from the flag table's own indexes (an admin's year of one
    # kind is ~100,000 rows to order: cheap as keys, 0.9 s joined), then those rows in full.
    keys = list(
        page_q.order_by("-entered_at", "-id").values_list("entered_at", "id")[: query.page_size + 1]
    )
    more = len(keys) > query.page_size
    keys = keys[: query.page_size]
    # Within review projects the actor may reassign every customer (review_project_ids);
    # checked per shown row all the same, so the report can never name another customer.
    may = customers_for(actor, "reassign").filter(pk=OuterRef("customer_id"))
    flags = list(
        SuspicionFlag.objects.filter(Exists(may), pk__in=[pk for _at, pk in keys])
        .select_related("followup", "customer", "author", "project")
        .only(
            "id", "kind", "details", "entered_at", "detected_at", "project__id",
            "project__name", "project__rules_overrides", "customer__id", "customer__name",
            "author__id", "author__name", "author__username", "followup__id",
            "followup__kind", "followup__reached", "followup__content",
            "followup__occurred_at", "followup__entered_at", "followup__is_backdated",
            "followup__customer_id", "followup__author_id", "followup__project_id",
        )
        .order_by("-entered_at", "-id")
    )  # fmt: skip
    rules = {}
    rows = []
    for flag in flags:
        if flag.project_id not in rules:
            rules[flag.project_id] = project_rules(flag.project).suspicion
        reason = suspicion.stored_reason(
            flag.kind, flag.details, flag.followup.content, rules[flag.project_id]
        )
        rows.append(FlagRow(flag, reason))
    total = matching.order_by()[: COUNT_CAP + 1].count()
    return SuspicionReport(
        projects=projects, query=query, rows=rows,
        next_cursor=keyset.encode(*keys[-1]) if more else None,
        total=min(total, COUNT_CAP), total_capped=total > COUNT_CAP,
        counts=_counts(period),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Consultant:
    """Who a count is about: lighter than a User (an admin's report names hundreds)."""

    pk: int
    name: str

    def __str__(self) -> str:
        return self.name


def _counts(period) -> list[tuple[Consultant, dict[str, int]]]:
    """Flags per consultant and kind over the period: one GROUP BY on a covering index."""
    per_author: dict[int, dict[str, int]] = {}
    for author_id, kind, n in (
        period.order_by().values_list("author_id", "kind").annotate(n=Count("kind"))
    ):
        per_author.setdefault(author_id, dict.fromkeys(KINDS, 0))[kind] = n
    if not per_author:
        return []
    users = User.objects.filter(pk__in=per_author).values_list("id", "name", "username")
    out = [(Consultant(pk, name or username), per_author[pk]) for pk, name, username in users]
    return sorted(out, key=lambda item: (-sum(item[1].values()), item[0].name, item[0].pk))
