"""Who may do what in the shared pool (公海), read from permissions.yaml: who sees a project's
pool (`pages.pool`, in pool.selectors), who claims from it (`duties.claim_from_pool`) and who
hands it out (whoever may reassign its customers, as the hand-out checks customer by customer).
"""

from __future__ import annotations

from anchang import permissions
from anchang.org.models import Project, User
from anchang.org.selectors import project_ids_where


def claiming_roles() -> set[str]:
    """Roles that take customers from the pool, and are warned before theirs return to it."""
    return set(permissions.duty_roles("claim_from_pool"))


def handing_out_roles() -> set[str]:
    """Roles that may reassign the pool's customers: they hand the pool out and see its
    every move."""
    return {
        role
        for role in permissions.matrix()["roles"]
        if "pool" in permissions.allowed_relations(role, "reassign")
    }


def can_claim_from_pool(*, actor: User, project: Project) -> bool:
    return project.pk in project_ids_where(actor, claiming_roles())


def can_hand_out_pool(*, actor: User, project: Project) -> bool:
    return project.pk in project_ids_where(actor, handing_out_roles())
