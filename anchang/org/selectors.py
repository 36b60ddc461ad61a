"""Reads about the organisation, always from the acting user's point of view."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.http import Http404

from anchang import permissions
from anchang.ids import parse_id
from anchang.org.models import ApiToken, Membership, Project, User
from anchang.org.rules import ProjectRules
from anchang.prepared import prepared


@dataclass(frozen=True)
class Grant:
    """One active role membership, resolved to the project ids it covers.

    `project_ids` are the projects of the role's own scope; `region_project_ids` every
    project of the regions it touches; `company_project_ids` every project of the company.
    The last two are read only for roles the matrix lets reach beyond their own projects
    (other_project, other_region) or that are held over a region or the company; for the
    others they are left empty, and nobody reads them.
    """

    role: str
    scope: str
    project_ids: frozenset[int]
    region_project_ids: frozenset[int]
    company_project_ids: frozenset[int]
    membership_id: int
    team_id: int | None = None  # the sales team (小组) the member belongs to, if any


_CACHE_ATTR = "_anchang_grants"
_READ_ATTR = "_anchang_memberships_read"  # read with the user (user_with_memberships)


def actor_grants(actor: User) -> tuple[Grant, ...]:
    """The actor's grants, two queries, cached on the user object for the request.

    Fails closed: anonymous or inactive users, roles the matrix does not know, and
    memberships whose anchor does not match the role's scope yield no grant.
    """
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return ()
    cached = getattr(actor, _CACHE_ATTR, None)
    if cached is not None:
        return cached

    memberships = getattr(actor, _READ_ATTR, None)
    if memberships is None:
        memberships = _active_memberships(actor.pk)
    # The company's project list only when a grant reaches past its own project: most
    # people (consultants, managers) never do, and it saves a query on every request.
    company_ids = {m.company_id for m in memberships if _reaches_wider(m.role)}
    projects = (
        list(
            Project.objects.filter(region__company_id__in=company_ids, is_active=True).values_list(
                "id", "region_id", "region__company_id"
            )
        )
        if company_ids
        else []
    )
    grants = []
    for m in memberships:
        scope = permissions.role_scope(m.role)
        in_company = [p for p in projects if p[2] == m.company_id]
        if scope == "project" and m.project_id and m.project_active:
            own = {m.project_id}
            region_ids = {m.project_region_id}
        elif scope == "region" and m.region_id and not m.project_id:
            own = {p[0] for p in in_company if p[1] == m.region_id}
            region_ids = {m.region_id}
        elif scope == "company" and not m.region_id and not m.project_id:
            own = {p[0] for p in in_company}
            region_ids = {p[1] for p in in_company}
        else:
            continue
        grants.append(
            Grant(
                role=m.role,
                scope=scope,
                project_ids=frozenset(own),
                region_project_ids=frozenset(p[0] for p in in_company if p[1] in region_ids),
                company_project_ids=frozenset(p[0] for p in in_company),
                membership_id=m.id,
                team_id=m.team_id if scope == "project" else None,
            )
        )
    result = tuple(grants)
    setattr(actor, _CACHE_ATTR, result)
    return result


class _Membership(NamedTuple):
    id: int
    role: str
    company_id: int
    region_id: int | None
    project_id: int | None
    team_id: int | None
    project_active: bool | None
    project_region_id: int | None


def _membership_parts(connection: BaseDatabaseWrapper) -> tuple[str, str, dict[str, str]]:
    """What both plain membership reads share: the selected columns (m. and p.), the join
    of the membership's project, and the quoted membership columns by field name."""
    qn = connection.ops.quote_name
    m = {name: qn(Membership._meta.get_field(name).column)
         for name in ("id", "role", "company", "region", "project", "team", "user",
                      "is_active")}  # fmt: skip
    p = {name: qn(Project._meta.get_field(name).column) for name in ("id", "is_active", "region")}
    selected = (
        f"m.{m['id']}, m.{m['role']}, m.{m['company']}, m.{m['region']}, m.{m['project']}, "
        f"m.{m['team']}, p.{p['is_active']}, p.{p['region']}"
    )
    project = f"LEFT JOIN {qn(Project._meta.db_table)} p ON p.{p['id']} = m.{m['project']}"
    return selected, project, m


def _membership(row) -> _Membership:
    """A row of `_membership_parts`' columns (SQLite gives the project's flag as 0/1)."""
    return _Membership(*row[:6], None if row[6] is None else bool(row[6]), row[7])


_MEMBERSHIPS_SQL: dict[str, str] = {}  # by database vendor: the text never changes


def _memberships_sql(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor in _MEMBERSHIPS_SQL:
        return _MEMBERSHIPS_SQL[connection.vendor]
    selected, project, m = _membership_parts(connection)
    sql = _MEMBERSHIPS_SQL[connection.vendor] = (
        f"SELECT {selected} FROM {connection.ops.quote_name(Membership._meta.db_table)} m "  # noqa: S608 - names from the models
        f"{project} WHERE m.{m['user']} = %s AND m.{m['is_active']} = %s"
    )
    return sql


# By vendor: the text, the user's fields, and each field's column with the converters the
# ORM would apply to its value (SQLite hands datetimes over as text, booleans as integers).
_USER_SQL: dict[str, tuple[str, list[str], list[tuple]]] = {}


def _user_sql(connection: BaseDatabaseWrapper) -> tuple[str, list[str], list[tuple]]:
    if connection.vendor in _USER_SQL:
        return _USER_SQL[connection.vendor]
    qn = connection.ops.quote_name
    fields = [f.attname for f in User._meta.concrete_fields]
    columns = []
    for field in User._meta.concrete_fields:
        column = field.get_col(User._meta.db_table)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        columns.append((column, converters))
    user = ", ".join(f"u.{qn(f.column)}" for f in User._meta.concrete_fields)
    selected, project, m = _membership_parts(connection)
    pk = qn(User._meta.pk.column)
    sql = (
        f"SELECT {user}, {selected} FROM {qn(User._meta.db_table)} u "  # noqa: S608 - names from the models
        f"LEFT JOIN {qn(Membership._meta.db_table)} m "
        f"ON m.{m['user']} = u.{pk} AND m.{m['is_active']} = %s {project} WHERE u.{pk} = %s"
    )
    _USER_SQL[connection.vendor] = (sql, fields, columns)
    return sql, fields, columns


def user_with_memberships(pk: int) -> User | None:
    """The user and their active memberships in one statement: the signed-in user of every
    page, whose grants the request reads next (one round trip fewer, on PostgreSQL ~0.1 ms
    of the app's and the server's CPU a request). The memberships wait on the user object
    for actor_grants."""
    connection = connections[router.db_for_read(User)]
    sql, fields, columns = _user_sql(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, pk])
        rows = cursor.fetchall()
    if not rows:
        return None
    width = len(fields)
    values = []
    for (column, converters), value in zip(columns, rows[0][:width], strict=True):
        for converter in converters:
            value = converter(value, column, connection)
        values.append(value)
    user = User.from_db(connection.alias, fields, values)
    setattr(user, _READ_ATTR, [_membership(row[width:]) for row in rows if row[width] is not None])
    return user


def _active_memberships(user_id: int) -> list[_Membership]:
    """The user's active memberships with their project's state and region: one plain
    statement, like the session read (anchang/sessions.py). Every signed-in request reads
    them, and through the ORM the query was built and compiled afresh each time (~0.3 ms of
    a request's ~0.4 ms for its grants)."""
    connection = connections[router.db_for_read(Membership)]
    with connection.cursor() as cursor:
        cursor.execute(_memberships_sql(connection), [user_id, True])
        rows = cursor.fetchall()
    return [_membership(row) for row in rows]


@cache  # the matrix is read once per process
def _reaches_wider(role: str) -> bool:
    """Whether the role is held over a region or the company, or may act on customers of
    other projects: then its grant needs the company's project list."""
    if permissions.role_scope(role) != "project":
        return True
    wider = {"other_project", "other_region"}
    return any(
        permissions.allowed_relations(role, action) & wider
        for action in permissions.matrix()["actions"]
    ) or any(
        permissions.deal_relations(role, action) & wider
        for action in permissions.matrix().get("deal_actions", ())
    )


_TEAMS_ATTR = "_anchang_teammates"


def teammates(actor: User) -> dict[int, frozenset[int]]:
    """The members of each sales team (小组) the actor's grants name, by team id: one query,
    cached on the user object for the request like the grants (a customer list asks for
    every row whose customer is owned by a teammate)."""
    cached = getattr(actor, _TEAMS_ATTR, None)
    if cached is not None:
        return cached
    team_ids = {g.team_id for g in actor_grants(actor) if g.team_id is not None}
    members: dict[int, set[int]] = {team_id: set() for team_id in team_ids}
    if team_ids:
        rows = Membership.objects.filter(team_id__in=team_ids, is_active=True).values_list(
            "team_id", "user_id"
        )
        for team_id, user_id in rows:
            members[team_id].add(user_id)
    result = {team_id: frozenset(users) for team_id, users in members.items()}
    setattr(actor, _TEAMS_ATTR, result)
    return result


def forget_grants(actor: User) -> None:
    for attr in (_CACHE_ATTR, _TEAMS_ATTR, _READ_ATTR):
        if hasattr(actor, attr):
            delattr(actor, attr)


def actor_roles(actor: User) -> frozenset[str]:
    return frozenset(g.role for g in actor_grants(actor))


def _visible_ids(actor: User) -> set[int]:
    grants = actor_grants(actor)
    return set().union(*(g.project_ids for g in grants)) if grants else set()


def visible_projects(actor: User) -> QuerySet[Project]:
    """Projects the actor works in or oversees; nothing for an actor with no grant."""
    return _projects.build(ids=tuple(_visible_ids(actor)))


@prepared
def _projects(*, ids: tuple) -> QuerySet[Project]:
    return Project.objects.filter(pk__in=ids, is_active=True).select_related("region")


def project_list_by_ids(ids: Iterable[int]) -> list[Project]:
    """The active ones of these projects (with their region), as a prepared read: the
    caller has decided which ids the actor may have."""
    return _projects(ids=tuple(sorted(ids)))


def visible_project_list(actor: User) -> list[Project]:
    """visible_projects read as a prepared statement: pages ask it on every request."""
    return project_list_by_ids(_visible_ids(actor))


def project_list_where(actor: User, roles: set[str]) -> list[Project]:
    """projects_where as a list, read as a prepared statement."""
    return project_list_by_ids(project_ids_where(actor, roles))


def project_ids_where(actor: User, roles: set[str]) -> frozenset[int]:
    """The active projects where the actor holds one of `roles`, from the grants already
    read for the request (no query): menus and buttons ask this on every page."""
    ids: set[int] = set()
    for grant in actor_grants(actor):
        if grant.role in roles:
            ids |= grant.project_ids
    return frozenset(ids)


def projects_where(actor: User, roles: set[str]) -> QuerySet[Project]:
    ids = project_ids_where(actor, roles)
    if not ids:  # no query: a consultant's My day asks whether they manage anything
        return Project.objects.none()
    return _projects.build(ids=tuple(ids))


def overseen_projects(actor: User) -> list[Project]:
    """The projects whose team the actor oversees (`pages.team_overview`): a manager's or
    an admin's home shows their figures."""
    return list(projects_where(actor, set(permissions.page_roles("team_overview"))))


def strictest_setting(actor: User, key: str) -> int:
    """A per-person cap (a dotted rule key, `privacy.reveals_per_day`) at its strictest
    among the projects the actor works in; 0 for an actor in none."""
    section, _dot, name = key.partition(".")
    limits = [
        getattr(getattr(project_rules(p), section), name) for p in visible_project_list(actor)
    ]
    return min(limits, default=0)


def project_rules(project: Project) -> ProjectRules:
    """The project's rules: docs/domain.md#project-settings defaults, overrides applied.
    Validated once per distinct (trade, overrides) in a process: a page asks several times,
    and the values depend on the row alone (a changed row is a new key)."""
    overrides = json.dumps(project.rules_overrides or {}, sort_keys=True, ensure_ascii=False)
    return _rules(project.kind, overrides)


@lru_cache(maxsize=256)
def _rules(trade: str, overrides: str) -> ProjectRules:
    return ProjectRules.from_overrides(json.loads(overrides), trade)


def project_staff(*, project: Project, roles: set[str]) -> QuerySet[User]:
    return (
        User.objects.filter(
            is_active=True,
            memberships__project=project,
            memberships__role__in=roles,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("name", "username")
    )


def project_owners(project: Project) -> QuerySet[User]:
    """The project's staff who may hold customers (`duties.own_customers`): whom a customer
    is reassigned or handed out to."""
    return project_staff(project=project, roles=set(permissions.duty_roles("own_customers")))


def project_chosen(projects: list[Project], raw) -> Project:
    """The project a request names (`?project=`) among those the reader may open: the first
    when it names none (as the board opens), 404 for any other id, so an id tells nothing."""
    if raw in (None, "") and projects:
        return projects[0]
    pk = parse_id(raw) if raw not in (None, "") else None
    for project in projects:
        if project.pk == pk:
            return project
    raise Http404


def user_named(pk: int | None) -> User | None:
    """A staff member named by id in a request, for a service that checks what they may be
    (credited, a stand-in, a designer, a form holder). An unknown id becomes an unsaved
    reference that no membership matches, so it is refused like a stranger's and the answer
    does not tell which ids exist."""
    if not pk:
        return None
    return User.objects.filter(pk=pk).first() or User(pk=pk)


def owners_to_filter_by(actor: User) -> QuerySet[User] | list:
    """Consultants a viewer may filter the customer list by: none for a consultant, who
    sees only their own customers; the project's owners for roles whose `list` reaches
    further."""
    wider = {
        role
        for role in permissions.matrix()["roles"]
        if permissions.allowed_relations(role, "list") - {"own"}
    }
    projects = projects_where(actor, wider)
    if not projects.exists():
        return []
    return (
        User.objects.filter(
            memberships__project__in=projects,
            memberships__role__in=permissions.duty_roles("own_customers"),
            memberships__is_active=True,
        )
        .distinct()
        .order_by("name")
    )


def staff_tokens_visible(actor: User) -> QuerySet[ApiToken]:
    """API tokens an administrator may see and revoke: those of staff holding a role in a
    company where the actor is an administrator. Fails closed: no admin role, no tokens."""
    if not (getattr(actor, "is_authenticated", False) and actor.is_active):
        return ApiToken.objects.none()
    company_ids = Membership.objects.filter(
        user=actor, role__in=permissions.page_roles("staff_tokens"), is_active=True
    ).values_list("company_id", flat=True)
    staff_ids = Membership.objects.filter(company_id__in=company_ids).values_list(
        "user_id", flat=True
    )
    return ApiToken.objects.filter(user_id__in=staff_ids).select_related("user")


def staff_names(ids: set[int]) -> dict[int, str]:
    """Display names of these staff, in one query (for pages that show ids as people)."""
    if not ids:
        return {}
    return {u.pk: str(u) for u in User.objects.filter(pk__in=ids).only("pk", "name", "username")}


def staff_directory(actor: User) -> list[dict]:
    """The people holding an active role in the actor's projects (names and roles, for
    owner and reviewer ids in the API), by name."""
    rows = (
        Membership.objects.filter(
            is_active=True, user__is_active=True, project__in=visible_projects(actor)
        )
        .select_related("user")
        .order_by("user__name", "user_id", "project_id", "role")
    )
    people: dict[int, dict] = {}
    for m in rows:
        person = people.setdefault(m.user_id, {"id": m.user_id, "name": m.user.name, "roles": []})
        person["roles"].append({"role": m.role, "project": m.project_id})
    return list(people.values())
