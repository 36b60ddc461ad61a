"""Every read of customers starts here, scoped by the permission matrix."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anchang import permissions
from anchang.customers import rules as intake_rules
from anchang.customers.models import Customer, Medium, OwnershipConflict, Registration
from anchang.lookups import get_in_scope
from anchang.org.models import User
from anchang.org.selectors import Grant, actor_grants, project_rules, teammates


def _relation_projects(grant: Grant, relation: str) -> frozenset[int]:
    """The projects whose customers a relation reaches (for `own`, `same_team` and `pool`:
    whose own, team's or pool customers)."""
    if relation in ("own", "same_team", "pool", "same_project"):
        return grant.project_ids
    if relation == "other_project":
        return grant.region_project_ids
    if relation == "other_region":
        return grant.company_project_ids
    raise ValueError(relation)


# A customer in the shared pool (公海): nobody owns it, and it was put there.
IN_POOL = Q(owner__isnull=True, pool_entered_at__isnull=False)


def in_pool(customer: Customer) -> bool:
    return customer.owner_id is None and customer.pool_entered_at is not None


def _in_projects(ids: set[int] | frozenset[int]) -> Q:
    # One project is written as equality: SQLite then reads (project, -id) in order and stops
    # after a page, where `IN (…)` makes it walk the whole table by id instead.
    if len(ids) == 1:
        return Q(project_id=next(iter(ids)))
    return Q(project_id__in=sorted(ids))


@dataclass(frozen=True)
class _Scope:
    """Where an action reaches: whole projects, and beyond them, the actor's own customers,
    their team's (project, team) and the pool of further projects."""

    whole: frozenset[int]
    own: frozenset[int]
    teams: frozenset[tuple[int, int]]
    pool: frozenset[int]


def _scope(actor: User, action: str) -> _Scope | None:
    """Where `actor` may `action`; None when no grant allows the action at all."""
    whole: set[int] = set()
    own: set[int] = set()
    teams: set[tuple[int, int]] = set()
    pool: set[int] = set()
    granted = False
    for grant in actor_grants(actor):
        for relation in permissions.allowed_relations(grant.role, action):
            granted = True
            projects = _relation_projects(grant, relation)
            if relation == "own":
                own |= projects
            elif relation == "same_team":
                if grant.team_id is not None:
                    teams |= {(p, grant.team_id) for p in projects}
            elif relation == "pool":
                pool |= projects
            else:
                whole |= projects
    if not granted:
        return None
    return _Scope(
        frozenset(whole), frozenset(own - whole),
        frozenset(t for t in teams if t[0] not in whole), frozenset(pool - whole),
    )  # fmt: skip


def customers_q(actor: User, action: str) -> Q | None:
    """The filter for the customers `actor` may `action`; None means none at all.

    Whole projects fold into one clause and the actor's own customers elsewhere into one
    more, so the database can use one index (project, -id) or (owner, -id) instead of
    scanning an OR of overlapping conditions; a team's or a pool's customers beyond those
    (no role in the shipped matrix has them) add a clause each.
    """
    scope = _scope(actor, action)
    if scope is None:
        return None
    clauses = []
    if scope.whole:
        clauses.append(_in_projects(scope.whole))
    if scope.own:
        clauses.append(Q(owner_id=actor.pk) & _in_projects(scope.own))
    for project_id, team_id in sorted(scope.teams):
        members = sorted(teammates(actor)[team_id])
        clauses.append(Q(project_id=project_id, owner_id__in=members))
    if scope.pool:
        clauses.append(IN_POOL & _in_projects(scope.pool))
    if not clauses:  # granted, but in no active project
        return Q(pk__in=[])
    return reduce(or_, clauses)


def customers_for(actor: User, action: str) -> QuerySet[Customer]:
    q = customers_q(actor, action)
    if q is None:
        return Customer.objects.none()
    return Customer.objects.filter(q)


def visible_customers(actor: User) -> QuerySet[Customer]:
    return customers_for(actor, "view")


def customer_get_visible(*, actor: User, pk) -> Customer:
    """404 (never 403) for a customer the actor may not see, so ids reveal nothing."""
    return get_in_scope(
        visible_customers(actor).select_related("owner", "project", "medium"),
        pk,
    )


def customer_list(actor: User) -> QuerySet[Customer]:
    return customers_for(actor, "list").select_related("owner", "project", "medium").order_by("-id")


def _in_team(actor: User, customer: Customer, team: tuple[int, int]) -> bool:
    project_id, team_id = team
    return customer.project_id == project_id and customer.owner_id in teammates(actor)[team_id]


def customer_relation(actor: User, customer: Customer) -> str | None:
    """How the customer stands to the actor, in the matrix's terms (the closest relation
    that holds, in the matrix's order); None outside every grant."""
    grants = actor_grants(actor)
    for relation in permissions.matrix()["relations"]:  # closest first
        if relation == "own" and customer.owner_id != actor.pk:
            continue
        if relation == "pool" and not in_pool(customer):
            continue
        if relation == "same_team" and not any(
            g.team_id is not None and _in_team(actor, customer, (customer.project_id, g.team_id))
            for g in grants
            if customer.project_id in g.project_ids
        ):
            continue
        if any(customer.project_id in _relation_projects(g, relation) for g in grants):
            return relation
    return None


def actor_may(actor: User, action: str, customer: Customer) -> bool:
    """Whether `customers_for(actor, action)` holds this customer, decided from the row in
    hand (its project and owner) by the same scope, so a card's buttons cost no query (a
    team's customers beyond whole projects, which no shipped role has, read the team once
    per request)."""
    scope = _scope(actor, action)
    if scope is None:
        return False
    project = customer.project_id
    return (
        project in scope.whole
        or (customer.owner_id == actor.pk and project in scope.own)
        or (project in scope.pool and in_pool(customer))
        or any(_in_team(actor, customer, team) for team in scope.teams if team[0] == project)
    )


@dataclass(frozen=True)
class CompletenessView:
    percent: int
    target: int | None
    below_target: bool
    top_missing: list[tuple[str, str, int]]  # (field, label, weight), heaviest first
    stage: str
    required_missing: list[tuple[str, str]]


def customer_completeness(
    customer: Customer, hidden: frozenset[str] = frozenset()
) -> CompletenessView:
    """What the card shows: the bar, the target that applies and what would raise it most.
    Fields the reader may not read (`hidden`) are never named: naming one as missing would
    tell them it is empty."""
    from anchang.customers.services.profile import _field_label, profile_values

    rules = project_rules(customer.project)
    now = timezone.now()
    values = profile_values(customer)
    result = intake_rules.completeness(values, rules.completeness.weights)
    target = intake_rules.completeness_target(
        state=customer.state,
        visits=customer.visit_count,
        registered_at=customer.created_at,
        now=now,
        targets=intake_rules.Targets(
            rules.completeness.after_first_visit,
            rules.completeness.after_third_visit_or_month,
            rules.completeness.owner,
        ),
    )
    stage = intake_rules.stage_of(
        state=customer.state, visits=customer.visit_count, registered_at=customer.created_at,
        now=now,
    )  # fmt: skip
    weights = rules.completeness.weights
    required = intake_rules.missing_required(values, rules.intake.required.get(stage, []))
    missing = [f for f in result.missing if f not in hidden]
    return CompletenessView(
        percent=result.percent,
        target=target,
        below_target=target is not None and result.percent < target,
        top_missing=[(f, _field_label(f), weights[f]) for f in missing[:6]],
        stage=stage,
        required_missing=[(f, _field_label(f)) for f in required if f not in hidden],
    )


def customer_timeline(customer: Customer, limit: int = 100) -> QuerySet[Registration]:
    return (
        customer.registrations.select_related("consultant", "medium")
        .exclude(outcome=Registration.Outcome.CONFLICT)
        .order_by("-occurred_at")[:limit]
    )


def open_conflicts(actor: User) -> QuerySet[OwnershipConflict]:
    """Conflicts in the projects where the actor may reassign customers."""
    q = customers_q(actor, "reassign")
    if q is None:
        return OwnershipConflict.objects.none()
    allowed = Customer.objects.filter(q).values("pk")
    return (
        OwnershipConflict.objects.filter(status=OwnershipConflict.Status.OPEN, customer__in=allowed)
        .select_related("customer", "claimant", "owner", "registration", "project")
        .order_by("-id")
    )


def conflict_get(*, actor: User, pk) -> OwnershipConflict:
    return get_in_scope(open_conflicts(actor), pk)


def media_for(project) -> QuerySet[Medium]:
    return Medium.objects.filter(project=project).order_by("sort_order", "id")


def active_media(project) -> QuerySet[Medium]:
    return media_for(project).filter(is_active=True)


PROFILE_GROUPS = [
    (_("Background"), ["gender", "age_band", "hometown", "address_area"]),
    (
        _("Economic"),
        [
            "industry",
            "employer",
            "position",
            "personal_income_band",
            "family_income_band",
            "cars",
            "investments",
        ],
    ),  # fmt: skip
    (
        _("Housing"),
        ["current_community", "housing_type", "current_area", "is_brand_owner", "other_property"],
    ),
    (
        _("Personal"),
        ["appearance_notes", "personality", "hobbies", "brands", "beliefs", "social_circle"],
    ),
    (
        _("Family"),
        ["family_structure", "spouse_info", "children_info", "money_holder", "decision_maker"],
    ),
    (_("Key care dates"), ["birthday"]),
    (
        _("Purchase focus"),
        [
            "purpose",
            "unit_type",
            "area_min",
            "area_max",
            "floor_pref",
            "building_pref",
            "budget_min",
            "budget_max",
            "payment_method",
            "eligibility",
            "purchase_horizon",
            "trade_in",
            "house_area",
            "decor_style",
            "measure_wanted",
        ],
    ),  # fmt: skip
]


RESTRICTED = _("Restricted")  # a sensitive field the reader's role may not read


def customer_profile_groups(
    customer: Customer,
    hidden: frozenset[str] = frozenset(),
    asked: frozenset[str] | None = None,
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The card's profile, grouped as docs/domain.md#profile-groups, values as people read them;
    the `hidden` fields (policies.hidden_fields) read "restricted", filled or not. Fields
    the project's trade does not ask (`asked`, from its rules) are left out unless filled."""
    groups = []
    for title, fields in PROFILE_GROUPS:
        rows = []
        for name in fields:
            field = Customer._meta.get_field(name)
            value = getattr(customer, name)
            if asked is not None and name not in asked and value in (None, ""):
                continue
            if name in hidden:
                shown = str(RESTRICTED)
            elif field.choices and value:
                shown = getattr(customer, f"get_{name}_display")()
            elif isinstance(value, bool):
                shown = str(_("Yes") if value else _("No"))
            elif value is None or value == "":
                shown = ""
            else:
                shown = str(value)
            rows.append((str(field.verbose_name), shown))
        groups.append((str(title), rows))
    return groups


LIST_TOTAL_CAP = 10_000  # an unfiltered list counts its rows up to this, then says "10,000+"
SCOPE_CAP = 100_000  # a filtered estimate scales by the scope's size, counted up to this
SAMPLE_ROWS = 2_000  # a filtered list over a large scope is counted in its newest rows


def count_up_to(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """How many rows, counted no further than `cap`: (cap, True) means "more than cap".
    A list's total at 1,000,000 customers must not be a COUNT over the project: this reads
    at most cap + 1 index entries, whatever the table's size."""
    cap = cap or LIST_TOTAL_CAP
    counted = queryset.order_by().values("pk")[: cap + 1].count()
    return min(counted, cap), counted > cap


@dataclass(frozen=True)
class ListTotal:
    count: int
    exact: bool  # False: estimated from a sample
    more: bool  # at least this many

    @property
    def shown(self) -> str:
        return f"{self.count:,}" + ("+" if self.more else "")


def _two_figures(n: int) -> int:
    digits = len(str(n))
    return n if digits <= 2 else round(n, 2 - digits)


def list_total(
    *,
    scope: QuerySet,
    filtered: QuerySet,
    narrowed: bool,
    seen: int,
    page_rows: int,
    has_next: bool,
) -> ListTotal:
    """The customer list's total at a bounded cost, whatever the table's size:
    - everything already on this page: exact, no query;
    - no filter: the visible customers counted on the index, up to LIST_TOTAL_CAP;
    - a filter over a scope of at most SAMPLE_ROWS: exact (at most that many rows read);
    - a filter over a larger scope: estimated from the share of matches among the newest
      SAMPLE_ROWS customers, never below what the pages have shown.
    A filter on an unindexed column (grade, state, late entries) counted to a cap would read
    the whole project when matches are rare (0.9 s for 200,000 customers on SQLite)."""
    if not has_next and (page_rows or not seen):
        return ListTotal(seen, exact=True, more=False)
    if not narrowed:
        count, more = count_up_to(scope)
        return ListTotal(count, exact=True, more=more)
    scope_count, scope_more = count_up_to(scope, SCOPE_CAP)
    if not scope_more and scope_count <= SAMPLE_ROWS:
        return ListTotal(filtered.order_by().count(), exact=True, more=False)
    newest = scope.order_by("-id").values("pk")[:SAMPLE_ROWS]
    matches = filtered.order_by().filter(pk__in=newest).count()
    estimate = _two_figures(round(matches * scope_count / SAMPLE_ROWS))
    floor = (seen if page_rows else 0) + (1 if has_next else 0)
    if estimate < floor:
        return ListTotal(floor, exact=True, more=has_next)
    return ListTotal(estimate, exact=False, more=scope_more)
