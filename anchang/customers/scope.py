"""Where an actor's grants reach among customers: the scope both the reads (selectors) and
the permission checks (policies) start from, decided by the permission matrix. A filter for
the database (`customers_q`) and the same decision for a row in hand (`actor_may`,
`customer_relation`) live side by side, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from anchang import permissions
from anchang.customers.models import Customer
from anchang.org.models import User
from anchang.org.selectors import Grant, actor_grants, teammates


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


def _in_projects(ids: set[int] | frozenset[int] | tuple[int, ...]) -> Q:
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
    if scope.whole or scope.own:
        clauses.append(projects_and_own_q(**_plain(actor, scope)))
    for project_id, team_id in sorted(scope.teams):
        members = sorted(teammates(actor)[team_id])
        clauses.append(Q(project_id=project_id, owner_id__in=members))
    if scope.pool:
        clauses.append(IN_POOL & _in_projects(scope.pool))
    if not clauses:  # granted, but in no active project
        return Q(pk__in=[])
    return reduce(or_, clauses)


def _plain(actor: User, scope: _Scope) -> dict:
    return {"whole": tuple(sorted(scope.whole)), "own": tuple(sorted(scope.own)), "actor": actor.pk}


def projects_and_own_q(*, whole: tuple[int, ...], own: tuple[int, ...], actor: int) -> Q:
    """Whole projects, and the actor's own customers in further ones: the scope of every
    shipped role, from plain values (prepared reads bind them, anchang/prepared.py)."""
    if not whole and not own:
        return Q(pk__in=[])
    clauses = []
    if whole:
        clauses.append(_in_projects(whole))
    if own:
        clauses.append(Q(owner_id=actor) & _in_projects(own))
    return reduce(or_, clauses)


def plain_scope(actor: User, action: str) -> dict | None:
    """The scope as the values `projects_and_own_q` takes, for a prepared read; None when
    it needs more (no grant at all, or a team's or a pool's clause: the ORM reads those)."""
    scope = _scope(actor, action)
    if scope is None or scope.teams or scope.pool:
        return None
    return _plain(actor, scope)


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
