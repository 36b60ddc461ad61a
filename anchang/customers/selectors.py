"""Every read of customers starts here, scoped by the permission matrix."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from anchang import permissions
from anchang.customers import rules as intake_rules
from anchang.customers.choices import FOLLOWED_STATES
from anchang.customers.models import (
    TALLY_NO_OWNER,
    TALLY_NOT_DUE,
    Customer,
    CustomerPhone,
    CustomerTally,
    KeyDate,
    Medium,
    OwnershipConflict,
    Registration,
)
from anchang.customers.profile import field_label, profile_values
from anchang.customers.scope import customers_q, plain_scope, projects_and_own_q
from anchang.dates import start_of_today
from anchang.errors import PermissionDenied
from anchang.ids import parse_id
from anchang.lookups import get_in_scope
from anchang.org.models import Project, User
from anchang.org.selectors import (
    project_ids_where,
    project_list_by_ids,
    project_rules,
    projects_where,
)
from anchang.prepared import prepared, unprepared_rows


def customers_for(actor: User, action: str) -> QuerySet[Customer]:
    q = customers_q(actor, action)
    if q is None:
        return Customer.objects.none()
    return Customer.objects.filter(q)


def prepared_in_scope(action: str, *, shape: tuple[str, ...] = ()):
    """A prepared read (anchang/prepared.py) that starts from the customers an actor may
    `action`: `build(customers, **values)` gets them as a queryset to filter or to use in a
    subquery. Called as `read(actor, **values)`; returns a list. A scope with a team's or a
    pool's clause (no shipped role has one) is read through the ORM, by the same build."""

    def decorate(build: Callable[..., QuerySet]) -> Callable[..., list]:
        def plain(*, whole: tuple, own: tuple, actor: int, **values) -> QuerySet:
            scope = projects_and_own_q(whole=whole, own=own, actor=actor)
            return build(Customer.objects.filter(scope), **values)

        plain.__module__, plain.__qualname__ = build.__module__, build.__qualname__
        read = prepared(plain, shape=shape)

        def run(actor: User, **values) -> list:
            scope = plain_scope(actor, action)
            if scope is None:
                return list(build(customers_for(actor, action), **values))
            return read(**scope, **values)

        return run

    return decorate


def visible_customers(actor: User) -> QuerySet[Customer]:
    return customers_for(actor, "view")


@prepared
def _visible_customer(*, pk: int, whole: tuple, own: tuple, actor: int) -> QuerySet[Customer]:
    # Unordered: one id matches one row at most.
    scope = projects_and_own_q(whole=whole, own=own, actor=actor)
    card = Customer.objects.filter(scope, pk=pk).select_related("owner", "project", "medium")
    return card.order_by()[:1]


def customer_get_visible(*, actor: User, pk) -> Customer:
    """404 (never 403) for a customer the actor may not see, so ids reveal nothing. Every
    card and every follow-up reads it: a prepared statement (anchang/prepared.py)."""
    scope = plain_scope(actor, "view")
    number = parse_id(pk)
    if scope is None or number is None:
        return get_in_scope(
            visible_customers(actor).select_related("owner", "project", "medium"), pk
        )
    found = _visible_customer(pk=number, **scope)
    if not found:
        raise Http404
    return found[0]


def customer_list(actor: User) -> QuerySet[Customer]:
    return _listed(customers_for(actor, "list"))


def _listed(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    return customers.select_related("owner", "project", "medium").order_by("-id")


# What the list page shows and decides from (the phone's masking and the read cap look at
# project, owner and pool): a row with the other ~60 columns cost its converters and
# instance ~40 µs, two milliseconds a page.
LIST_PAGE_COLUMNS = (
    "id", "project_id", "owner_id", "pool_entered_at", "name", "grade", "phone", "state",
    "completeness", "last_contact_at", "next_follow_up_on", "owner__name", "owner__username",
)  # fmt: skip


def list_page_rows(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """customer_list's rows with only the list page's columns."""
    return customers.select_related(None).select_related("owner").only(*LIST_PAGE_COLUMNS)


@prepared_in_scope("list", shape=("offset", "size"))
def _list_page(customers: QuerySet[Customer], *, offset: int, size: int) -> QuerySet[Customer]:
    return list_page_rows(_listed(customers))[offset : offset + size + 1]


def customer_list_page(actor: User, *, number: int, size: int) -> tuple[list[Customer], bool]:
    """Page `number` of customer_list, unfiltered (the list as it opens), and whether a next
    page exists: offset_page's reading, as a prepared statement."""
    rows = _list_page(actor, offset=(number - 1) * size, size=size)
    return rows[:size], len(rows) > size


def _registering_roles() -> set[str]:
    return set(permissions.page_roles("register"))


def registration_projects(actor: User) -> QuerySet[Project]:
    return projects_where(actor, _registering_roles())


def registers_anywhere(actor: User) -> bool:
    """Whether the actor registers customers in any project (no query)."""
    return bool(project_ids_where(actor, _registering_roles()))


def registration_project(actor: User, project_id) -> Project:
    """The project, if the actor registers customers there; 403 otherwise."""
    pk = ensure_registers_in(actor, project_id)
    found = project_list_by_ids((pk,))
    if not found:
        raise PermissionDenied(gettext("You do not register customers for this project."))
    return found[0]


def ensure_registers_in(actor: User, project_id) -> int:
    """The project's id, if the actor registers customers there (their grants name only
    active projects); 403 otherwise. No query: the service checks a project its caller read."""
    pk = parse_id(project_id)
    if pk not in project_ids_where(actor, _registering_roles()):
        raise PermissionDenied(gettext("You do not register customers for this project."))
    return pk


@dataclass(frozen=True)
class CompletenessView:
    percent: int
    target: int | None
    below_target: bool
    top_missing: list[tuple[str, str, int]]  # (field, label, weight), heaviest first
    stage: str
    required_missing: list[tuple[str, str]]


def customer_completeness(
    customer: Customer,
    hidden: frozenset[str] = frozenset(),
    *,
    has_care_dates: bool | None = None,
) -> CompletenessView:
    """What the card shows: the bar, the target that applies and what would raise it most.
    Fields the reader may not read (`hidden`) are never named: naming one as missing would
    tell them it is empty. `has_care_dates`: whether the customer has key dates, when the
    caller has read them already (the card lists them)."""
    rules = project_rules(customer.project)
    now = timezone.now()
    values = profile_values(customer, has_care_dates=has_care_dates)
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
        top_missing=[(f, field_label(f), weights[f]) for f in missing[:6]],
        stage=stage,
        required_missing=[(f, field_label(f)) for f in required if f not in hidden],
    )


@prepared(shape=("limit",))
def _timeline(*, customer: int, limit: int) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(customer_id=customer)
        .select_related("consultant", "medium")
        .exclude(outcome=Registration.Outcome.CONFLICT)
        .order_by("-occurred_at")[:limit]
    )


def customer_timeline(customer: Customer, limit: int = 100) -> list[Registration]:
    return _timeline(customer=customer.pk, limit=limit)


@prepared
def _key_dates(*, customer: int) -> QuerySet[KeyDate]:
    return KeyDate.objects.filter(customer_id=customer).order_by("date")


def customer_key_dates(customer: Customer) -> list[KeyDate]:
    return _key_dates(customer=customer.pk)


@prepared(shape=("limit",))
def _history(*, customer: int, limit: int) -> QuerySet:
    # Only what the table shows: a historical row repeats all ~70 columns of the customer.
    return (
        Customer.history.model.objects.filter(id=customer)
        .select_related("history_user")
        .only(
            "history_date",
            "history_type",
            "history_change_reason",
            "history_user__name",
            "history_user__username",
        )  # fmt: skip
        .order_by("-history_date")[:limit]
    )


def customer_history(customer: Customer, limit: int = 50) -> list:
    """The card's change history (simple_history's rows), newest first."""
    return _history(customer=customer.pk, limit=limit)


@prepared
def _last_loss(*, customer: int) -> QuerySet:
    # The loss application lives in followups, an app above this one: reached through the
    # relation it declares on Customer.
    model = Customer._meta.get_field("loss_applications").related_model
    return (
        model.objects.filter(customer_id=customer).select_related("decided_by").order_by("-id")[:1]
    )


def customer_last_loss(customer: Customer):
    """The customer's latest loss application (战败申请), if any."""
    found = _last_loss(customer=customer.pk)
    return found[0] if found else None


def phone_index(project: Project, phones) -> dict[str, tuple[int, int | None]]:
    """phone → (the project's customer with that phone, their owner or None), for many
    phones at once (an import's chunk, its preview), 500 to a query."""
    wanted = list(set(phones))
    found: dict[str, tuple[int, int | None]] = {}
    for start in range(0, len(wanted), 500):
        rows = CustomerPhone.objects.filter(project=project, phone__in=wanted[start : start + 500])
        found.update(
            (phone, (customer, owner))
            for phone, customer, owner in unprepared_rows(
                rows.order_by().values_list("phone", "customer_id", "customer__owner_id")
            )
        )
    return found


def conflicts_in_scope(actor: User) -> QuerySet[OwnershipConflict]:
    """Conflicts, open or decided, of the customers the actor may reassign."""
    q = customers_q(actor, "reassign")
    if q is None:
        return OwnershipConflict.objects.none()
    allowed = Customer.objects.filter(q).values("pk")
    return (
        OwnershipConflict.objects.filter(customer__in=allowed)
        .select_related("customer", "claimant", "owner", "registration", "project", "resolved_by")
        .order_by("-id")
    )


def open_conflicts(actor: User) -> QuerySet[OwnershipConflict]:
    """Conflicts in the projects where the actor may reassign customers, still open."""
    return conflicts_in_scope(actor).filter(status=OwnershipConflict.Status.OPEN)


def conflict_get(*, actor: User, pk, decided: bool = False) -> OwnershipConflict:
    """An open conflict the actor may decide (404 otherwise); with `decided`, one already
    decided too (its page shows the decision)."""
    return get_in_scope(conflicts_in_scope(actor) if decided else open_conflicts(actor), pk)


@prepared
def _media_of(*, projects: tuple) -> QuerySet[Medium]:
    return Medium.objects.filter(project_id__in=projects)


def media_of(projects: list[Project]) -> list[Medium]:
    """Every awareness medium of these projects (the list page's filter)."""
    return _media_of(projects=tuple(p.pk for p in projects))


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


@dataclass
class ProjectBoard:
    """A project's customers as its manager's home shows them: how many, new today and
    without an owner, and per consultant (dicts the template reads: owner_id, owner__name,
    owner__username, total, new_today, due_today, overdue), the most overdue first."""

    total: int = 0
    new_today: int = 0
    unowned: int = 0
    owners: list[dict] = field(default_factory=list)


def team_board(actor: User, projects: list[Project], today: date) -> dict[int, ProjectBoard]:
    """The board of each project, counting only the customers the actor may list. Three
    queries, none of which reads the customers one by one: the counts come from the tally
    (models.CustomerTally) for every shipped role's scope, so a 200,000-customer project
    sums a few thousand rows; a scope with a team's or a pool's clause is counted from the
    customers. `today` is the project's local day."""
    ids = [p.pk for p in projects]
    if not ids:
        return {}
    scope = plain_scope(actor, "list")
    if scope is None:
        counted = _board_counted(actor, ids, today)
    else:
        counted = _board_tallied(scope, ids, today)
    # Today's rows, counted here: a GROUP BY would lead SQLite's planner to read the whole
    # project in (project, owner) order instead of the day's range of customer_created.
    new_today = Counter(
        customers_for(actor, "list")
        .filter(project_id__in=ids, created_at__gte=start_of_today())
        .values_list("project_id", "owner_id")
    )
    owner_ids = {row["owner_id"] for row in counted if row["owner_id"]}
    names = dict(
        (pk, (name, username))
        for pk, name, username in User.objects.filter(pk__in=owner_ids).values_list(
            "pk", "name", "username"
        )
    )  # fmt: skip
    boards = {pk: ProjectBoard() for pk in ids}
    for row in counted:
        board, owner = boards[row["project_id"]], row["owner_id"]
        new = new_today.get((row["project_id"], owner), 0)
        board.total += row["total"]
        board.new_today += new
        if owner is None:
            board.unowned += row["total"]
            continue
        name, username = names.get(owner, ("", ""))
        board.owners.append(
            {"owner_id": owner, "owner__name": name, "owner__username": username,
             "total": row["total"], "new_today": new, "due_today": row["due_today"] or 0,
             "overdue": row["overdue"] or 0}
        )  # fmt: skip
    for board in boards.values():
        board.owners.sort(key=lambda o: (-o["overdue"], -o["total"], o["owner_id"]))
    return boards


def _board_counted(actor: User, ids: list[int], today: date) -> list[dict]:
    followed = Q(state__in=FOLLOWED_STATES)
    return list(
        customers_for(actor, "list")
        .filter(project_id__in=ids)
        .values("project_id", "owner_id")
        .annotate(
            # COUNT(project_id), not id: PostgreSQL then counts from an index alone
            total=Count("project"),
            overdue=Count("project", filter=followed & Q(next_follow_up_on__lt=today)),
            due_today=Count("project", filter=followed & Q(next_follow_up_on=today)),
        )
        .order_by()
    )


def _board_tallied(scope: dict, ids: list[int], today: date) -> list[dict]:
    whole = [pk for pk in ids if pk in scope["whole"]]
    own = [pk for pk in ids if pk in scope["own"] and pk not in whole]
    rows = (
        CustomerTally.objects.filter(
            Q(project_id__in=whole) | Q(project_id__in=own, owner_id=scope["actor"])
        )
        .values("project_id", "owner_id")
        .annotate(
            total=Sum("customers"),
            overdue=Sum("customers", filter=Q(due_on__gt=TALLY_NOT_DUE, due_on__lt=today)),
            due_today=Sum("customers", filter=Q(due_on=today)),
        )
        .order_by()
    )
    # Entries not yet folded may cancel out: a consultant who holds nobody is not listed.
    return [
        {**row, "owner_id": None if row["owner_id"] == TALLY_NO_OWNER else row["owner_id"]}
        for row in rows
        if row["total"]
    ]


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


def split_claimant(customer_id: int, owner_id: int) -> int | None:
    """The colleague a conflict (撞单) decided to share a deal's credit with the owner: the
    stand-in a subscription proposes."""
    return (
        OwnershipConflict.objects.filter(
            customer_id=customer_id, owner_id=owner_id, status=OwnershipConflict.Status.SPLIT
        )
        .order_by("-resolved_at")
        .values_list("claimant_id", flat=True)
        .first()
    )
