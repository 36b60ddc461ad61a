"""Reads for the suspicious-records page (可疑记录): a manager's recent follow-ups, checked.

The checks themselves are pure (anchang.followups.suspicion); this module reads the
follow-ups a manager may review, runs the checks per project with that project's rules,
and loads what the page shows of the flagged records. A fixed number of queries.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.customers.selectors import customers_for
from anchang.errors import PermissionDenied, ValidationFailed
from anchang.followups import suspicion
from anchang.followups.models import FollowUp
from anchang.followups.review_selectors import ENTRY_LAG, review_projects
from anchang.org import policies
from anchang.org.models import Project, User
from anchang.org.selectors import project_rules

DEFAULT_DAYS = 7
PERIODS = (7, 30)  # what the page offers; the API takes any whole number of days up to:
MAX_DAYS = 30
# A month of a big office is ~20,000 records; past that the checks would take seconds, so
# the newest are checked and the page says so.
MAX_RECORDS = 20_000
FLAG_LIMIT = 200
RECORDS_PER_FLAG = 12
_ID = re.compile(r"[0-9]{1,9}")


@dataclass
class FlagView:
    """One flag as the page shows it: why, whose, and the records themselves."""

    flag: suspicion.Flag
    project: Project
    author: User | None
    latest: datetime
    records: list[FollowUp]  # loaded records, ascending id, at most RECORDS_PER_FLAG
    # near-duplicates: (record, id of its closest match on another customer, percent alike)
    rows: list[tuple[FollowUp, int | None, int | None]] = field(default_factory=list)
    hidden: int = 0  # records of the flag not loaded

    @property
    def kind(self) -> str:
        return self.flag.kind

    @property
    def reason(self) -> str:
        return self.flag.reason


@dataclass
class SuspicionReport:
    projects: list[Project]  # the projects the actor may choose from
    project: Project | None  # the one chosen, or None for all of them
    days: int
    since: datetime
    checked: int  # follow-ups read
    truncated: bool  # more than MAX_RECORDS were entered: only the newest were checked
    flags: list[FlagView]  # newest first, at most FLAG_LIMIT
    total: int  # flags found, before the limit
    counts: list[tuple[User, dict[str, int]]]  # per consultant: flags by kind


def suspicion_projects(actor: User) -> list[Project]:
    """The projects whose follow-ups the actor reviews (the same as the review queue's)."""
    return list(review_projects(actor))


def parse_days(raw: object) -> int:
    """The period in days from a query string value; missing means the default week."""
    if raw is None or raw == "":
        return DEFAULT_DAYS
    text = str(raw).strip()
    if not _ID.fullmatch(text) or not 1 <= int(text) <= MAX_DAYS:
        raise ValidationFailed(
            fields={"days": _("Give a whole number of days from 1 to %(n)d.") % {"n": MAX_DAYS}}
        )
    return int(text)


def parse_project(raw: object, projects: list[Project]) -> Project | None:
    """One of the actor's projects by id, or None (all of them) when not given. Another
    project's id is refused like a made-up one, so ids reveal nothing."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, Project):
        raw = raw.pk
    text = str(raw).strip()
    if not _ID.fullmatch(text):
        raise ValidationFailed(fields={"project": _("Give a project id.")})
    chosen = next((p for p in projects if p.pk == int(text)), None)
    if chosen is None:
        raise ValidationFailed(fields={"project": _("Choose one of the projects you review.")})
    return chosen


def suspicious_followups(
    actor: User,
    project: Project | int | str | None = None,
    days: int | str | None = DEFAULT_DAYS,
    *,
    now: datetime | None = None,
) -> SuspicionReport:
    """Flags over the follow-ups entered in the last `days` days in the projects the actor
    reviews (one project when given). Raises PermissionDenied for a role without the
    review page, ValidationFailed for a bad project or period."""
    if not policies.can_open_page(actor=actor, page="reviews"):
        raise PermissionDenied()
    projects = suspicion_projects(actor)
    days = parse_days(days)
    chosen = parse_project(project, projects)
    since = (now or timezone.now()) - timedelta(days=days)
    in_scope = [chosen] if chosen else projects
    rows = []
    if in_scope:
        rows = list(
            FollowUp.objects.filter(
                project_id__in=[p.pk for p in in_scope],
                customer__in=customers_for(actor, "reassign").values("pk"),
                # bounds occurred_at too, so the (project, -occurred_at) index is read
                occurred_at__gte=since - ENTRY_LAG,
                entered_at__gte=since,
            )
            .order_by("-entered_at", "-id")
            .values_list(
                "id", "project_id", "customer_id", "author_id", "kind", "reached", "content",
                "occurred_at", "entered_at",
            )[: MAX_RECORDS + 1]
        )  # fmt: skip
    truncated = len(rows) > MAX_RECORDS
    rows = rows[:MAX_RECORDS]

    by_project: dict[int, list[suspicion.Record]] = defaultdict(list)
    entered: dict[int, datetime] = {}
    for pk, project_id, customer_id, author_id, kind, reached, content, occurred, at in rows:
        by_project[project_id].append(
            suspicion.Record(pk, customer_id, author_id, kind, reached, content, occurred, at)
        )
        entered[pk] = at
    project_of = {p.pk: p for p in projects}
    found: list[tuple[suspicion.Flag, Project]] = []
    for project_id in sorted(by_project):
        project_obj = project_of[project_id]
        flags = suspicion.find_flags(by_project[project_id], project_rules(project_obj).suspicion)
        found.extend((flag, project_obj) for flag in flags)
    order = {kind: i for i, kind in enumerate(suspicion.KINDS)}
    found.sort(
        key=lambda item: (
            -max(entered[i] for i in item[0].record_ids).timestamp(),
            order[item[0].kind],
            item[0].record_ids,
        )
    )
    return SuspicionReport(
        projects=projects, project=chosen, days=days, since=since, checked=len(rows),
        truncated=truncated, flags=_load(found[:FLAG_LIMIT], entered), total=len(found),
        counts=_counts(found),
    )  # fmt: skip


def _shown_ids(flag: suspicion.Flag) -> list[int]:
    """The records a card shows: for near-duplicates the matched pairs first."""
    ids: list[int] = []
    for match in flag.matches:
        for pk in (match.record_id, match.other_id):
            if pk not in ids:
                ids.append(pk)
    ids += [pk for pk in flag.record_ids if pk not in ids]
    return ids[:RECORDS_PER_FLAG]


def _load(shown: list[tuple[suspicion.Flag, Project]], entered: dict) -> list[FlagView]:
    wanted = {pk for flag, _project in shown for pk in _shown_ids(flag)}
    records = {
        f.pk: f
        for f in FollowUp.objects.filter(pk__in=wanted)
        .select_related("customer", "author")
        .only(
            "id",
            "kind",
            "reached",
            "content",
            "occurred_at",
            "entered_at",
            "is_backdated",
            "customer__id",
            "customer__name",
            "author__id",
            "author__name",
            "author__username",
        )
    }
    views = []
    for flag, project in shown:
        ids = _shown_ids(flag)
        loaded = [records[pk] for pk in sorted(ids) if pk in records]
        closest: dict[int, tuple[int, int]] = {}
        for m in flag.matches:  # strongest first: the first one seen is each record's best
            closest.setdefault(m.record_id, (m.other_id, m.percent))
            closest.setdefault(m.other_id, (m.record_id, m.percent))
        rows = [(f, *closest.get(f.pk, (None, None))) for f in loaded]
        views.append(
            FlagView(
                flag=flag,
                project=project,
                author=loaded[0].author if loaded else None,
                latest=max(entered[pk] for pk in flag.record_ids),
                records=loaded,
                rows=rows,
                hidden=len(flag.record_ids) - len(loaded),
            )
        )
    return views


def _counts(found: list[tuple[suspicion.Flag, Project]]) -> list[tuple[User, dict[str, int]]]:
    per_author: dict[int, Counter[str]] = defaultdict(Counter)
    for flag, _project in found:
        per_author[flag.author_id][flag.kind] += 1
    if not per_author:
        return []
    users = User.objects.filter(pk__in=per_author).only("id", "name", "username")
    out = [(user, {k: per_author[user.pk][k] for k in suspicion.KINDS}) for user in users]
    return sorted(out, key=lambda item: (-sum(item[1].values()), str(item[0]), item[0].pk))
