"""Every read of customers starts here, scoped by the permission matrix."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anchang import permissions
from anchang.customers import rules as intake_rules
from anchang.customers.models import Customer, Medium, OwnershipConflict, Registration
from anchang.lookups import get_in_scope
from anchang.org.models import User
from anchang.org.selectors import Grant, actor_grants, project_rules


def _relation_projects(grant: Grant, relation: str) -> frozenset[int]:
    """The projects whose customers a relation reaches (for `own`: whose own customers)."""
    if relation in ("own", "same_project"):
        return grant.project_ids
    if relation == "other_project":
        return grant.region_project_ids
    if relation == "other_region":
        return grant.company_project_ids
    raise ValueError(relation)


def _in_projects(ids: set[int]) -> Q:
    # One project is written as equality: SQLite then reads (project, -id) in order and stops
    # after a page, where `IN (…)` makes it walk the whole table by id instead.
    if len(ids) == 1:
        return Q(project_id=next(iter(ids)))
    return Q(project_id__in=sorted(ids))


def _scope(actor: User, action: str) -> tuple[set[int], set[int]] | None:
    """Where `actor` may `action`: (projects whose customers all count, projects where only
    the actor's own customers count); None when no grant allows the action at all."""
    whole: set[int] = set()
    own: set[int] = set()
    granted = False
    for grant in actor_grants(actor):
        for relation in permissions.allowed_relations(grant.role, action):
            granted = True
            target = own if relation == "own" else whole
            target |= _relation_projects(grant, relation)
    if not granted:
        return None
    return whole, own - whole


def customers_q(actor: User, action: str) -> Q | None:
    """The filter for the customers `actor` may `action`; None means none at all.

    Folded into at most two clauses — whole projects, and the actor's own customers in
    further projects — so the database can use one index (project, -id) or (owner, -id)
    instead of scanning an OR of overlapping conditions.
    """
    scope = _scope(actor, action)
    if scope is None:
        return None
    whole, own = scope
    clauses = []
    if whole:
        clauses.append(_in_projects(whole))
    if own:
        clauses.append(Q(owner_id=actor.pk) & _in_projects(own))
    if not clauses:  # granted, but in no active project
        return Q(pk__in=[])
    return clauses[0] if len(clauses) == 1 else clauses[0] | clauses[1]


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


def customer_relation(actor: User, customer: Customer) -> str | None:
    """How the customer stands to the actor, in the matrix's terms: own, same_project,
    other_project or other_region (the closest that holds), None outside every grant."""
    grants = actor_grants(actor)
    for relation in permissions.matrix()["relations"]:  # closest first
        if relation == "own" and customer.owner_id != actor.pk:
            continue
        if any(customer.project_id in _relation_projects(g, relation) for g in grants):
            return relation
    return None


def actor_may(actor: User, action: str, customer: Customer) -> bool:
    """Whether `customers_for(actor, action)` holds this customer, decided from the row in
    hand (its project and owner) by the same scope, so a card's buttons cost no query."""
    scope = _scope(actor, action)
    if scope is None:
        return False
    whole, own = scope
    return customer.project_id in whole or (
        customer.owner_id == actor.pk and customer.project_id in own
    )


@dataclass(frozen=True)
class CompletenessView:
    percent: int
    target: int | None
    below_target: bool
    top_missing: list[tuple[str, str, int]]  # (field, label, weight), heaviest first
    stage: str
    required_missing: list[tuple[str, str]]


def customer_completeness(customer: Customer) -> CompletenessView:
    """What the card shows: the bar, the target that applies and what would raise it most."""
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
    return CompletenessView(
        percent=result.percent,
        target=target,
        below_target=target is not None and result.percent < target,
        top_missing=[(f, _field_label(f), weights[f]) for f in result.missing[:6]],
        stage=stage,
        required_missing=[(f, _field_label(f)) for f in required],
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
        ],
    ),  # fmt: skip
]


def customer_profile_groups(customer: Customer) -> list[tuple[str, list[tuple[str, str]]]]:
    """The card's profile, grouped as DOMAIN.md §2 groups it, values as people read them."""
    groups = []
    for title, fields in PROFILE_GROUPS:
        rows = []
        for name in fields:
            field = Customer._meta.get_field(name)
            value = getattr(customer, name)
            if field.choices and value:
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
