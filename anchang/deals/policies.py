"""Who may do what with deals and units, read from permissions.yaml (`deals:`): a deal's
relation to the actor (own: they are its credited consultant or its designer; same_project;
other_project; other_region) and the role's relations per deal action. The database filter
(`deals_q`) and the decision for a deal in hand (`may`) are side by side, so they agree."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from anchang import permissions
from anchang.errors import NotFound, PermissionDenied
from anchang.org.models import Project, User
from anchang.org.policies import can_open_page
from anchang.org.selectors import Grant, actor_grants


def _relation_projects(grant: Grant, relation: str) -> frozenset[int]:
    if relation in ("own", "same_project"):
        return grant.project_ids
    if relation == "other_project":
        return grant.region_project_ids
    if relation == "other_region":
        return grant.company_project_ids
    raise ValueError(relation)


@dataclass(frozen=True)
class DealScope:
    whole: frozenset[int]  # every deal of these projects
    own: frozenset[int]  # the actor's own deals in these (beyond `whole`)


def deal_scope(actor: User, action: str) -> DealScope | None:
    """Where `actor` may `action` deals; None when no grant allows it at all."""
    whole: set[int] = set()
    own: set[int] = set()
    granted = False
    for grant in actor_grants(actor):
        for relation in permissions.deal_relations(grant.role, action):
            granted = True
            if relation == "own":
                own |= _relation_projects(grant, relation)
            else:
                whole |= _relation_projects(grant, relation)
    if not granted:
        return None
    return DealScope(frozenset(whole), frozenset(own - whole))


def _in(ids: frozenset[int]) -> Q:
    return Q(project_id=next(iter(ids))) if len(ids) == 1 else Q(project_id__in=sorted(ids))


def deals_q(actor: User, action: str) -> Q | None:
    """The filter of the deals `actor` may `action`; None: none at all."""
    scope = deal_scope(actor, action)
    if scope is None:
        return None
    clauses = []
    if scope.whole:
        clauses.append(_in(scope.whole))
    if scope.own:
        clauses.append((Q(consultant_id=actor.pk) | Q(designer_id=actor.pk)) & _in(scope.own))
    return reduce(or_, clauses) if clauses else Q(pk__in=[])


def may(actor: User, action: str, *, project_id: int, consultant_id: int | None,
        designer_id: int | None = None) -> bool:  # fmt: skip
    """The same decision as deals_q for one deal (or a deal about to be made, whose
    consultant is `consultant_id`)."""
    scope = deal_scope(actor, action)
    if scope is None:
        return False
    if project_id in scope.whole:
        return True
    return project_id in scope.own and actor.pk in (consultant_id, designer_id)


def can_deal(actor: User, action: str, deal) -> bool:
    return may(
        actor, action, project_id=deal.project_id, consultant_id=deal.consultant_id,
        designer_id=deal.designer_id,
    )  # fmt: skip


def ensure_can_deal(actor: User, action: str, deal) -> None:
    """A deal the actor may not even view is not found (404: an id reveals nothing); one
    they read but may not act on is refused (403)."""
    if can_deal(actor, action, deal):
        return
    if action != "view" and can_deal(actor, "view", deal):
        raise PermissionDenied()
    raise NotFound()


def project_ids_for(actor: User, action: str) -> frozenset[int]:
    """Projects where the actor may `action` some deal (their own at least)."""
    scope = deal_scope(actor, action)
    return scope.whole | scope.own if scope else frozenset()


def can_sell_for_others(*, actor: User, project: Project) -> bool:
    """Whether the actor may credit a deal to someone else (a manager's 代签)."""
    scope = deal_scope(actor, "sell")
    return bool(scope) and project.pk in scope.whole


def can_open_board(*, actor: User, project: Project) -> bool:
    return can_open_page(actor=actor, page="deals") and project.pk in board_project_ids(actor)


def board_project_ids(actor: User) -> frozenset[int]:
    """Projects whose board (销控表) the actor opens: where a role with `pages.deals` is held."""
    roles = permissions.page_roles("deals")
    ids: set[int] = set()
    for grant in actor_grants(actor):
        if grant.role in roles:
            ids |= grant.project_ids
    return frozenset(ids)


def can_manage_catalogue(*, actor: User, project: Project) -> bool:
    scope = deal_scope(actor, "catalogue")
    return bool(scope) and project.pk in (scope.whole | scope.own)


def can_see_floor_price(*, actor: User, project: Project) -> bool:
    return can_manage_catalogue(actor=actor, project=project)


def can_approve_in(*, actor: User, project_id: int) -> bool:
    scope = deal_scope(actor, "approve")
    return bool(scope) and project_id in (scope.whole | scope.own)
