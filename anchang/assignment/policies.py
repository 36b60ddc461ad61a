"""Who may do what at reception, read from permissions.yaml: the roles that run the desk
(`duties.runs_reception`) in the projects where they are held, and the roles that take
walk-ins (`duties.receives_walk_ins`), who keep their own place on the roster."""

from __future__ import annotations

from anchang import permissions
from anchang.errors import PermissionDenied
from anchang.org.models import Project, User
from anchang.org.selectors import project_ids_where


def desk_project_ids(actor: User) -> frozenset[int]:
    """Projects whose reception desk the actor runs."""
    return project_ids_where(actor, set(permissions.duty_roles("runs_reception")))


def receiving_project_ids(actor: User) -> frozenset[int]:
    """Projects where the actor takes walk-ins (and so signs in to the roster)."""
    return project_ids_where(actor, set(permissions.duty_roles("receives_walk_ins")))


def can_run_desk(*, actor: User, project: Project) -> bool:
    return project.pk in desk_project_ids(actor)


def ensure_can_run_desk(*, actor: User, project: Project) -> None:
    if not can_run_desk(actor=actor, project=project):
        raise PermissionDenied()


def can_keep_duty(*, actor: User, project: Project, consultant_id: int) -> bool:
    """Signing in, out, busy or away: the consultant themselves, or whoever runs the desk."""
    if can_run_desk(actor=actor, project=project):
        return True
    return actor.pk == consultant_id and project.pk in receiving_project_ids(actor)


def ensure_can_keep_duty(*, actor: User, project: Project, consultant_id: int) -> None:
    if not can_keep_duty(actor=actor, project=project, consultant_id=consultant_id):
        raise PermissionDenied()


def reception_project_ids(actor: User) -> frozenset[int]:
    """Projects whose reception page the actor opens: as the desk, or as one on its roster."""
    return desk_project_ids(actor) | receiving_project_ids(actor)


def assigning_project_ids(actor: User) -> frozenset[int]:
    """Projects whose customers the actor assigns and hands over: where a role they hold
    reassigns the whole project's customers (`reassign` over `same_project`)."""
    roles = {
        role
        for role in permissions.matrix()["roles"]
        if "same_project" in permissions.allowed_relations(role, "reassign")
    }
    return project_ids_where(actor, roles)


def ensure_can_assign(*, actor: User, project: Project) -> None:
    if project.pk not in assigning_project_ids(actor):
        raise PermissionDenied()


def importing_project_ids(actor: User) -> frozenset[int]:
    """Projects whose registers and customer lists the actor imports (导入)."""
    return project_ids_where(actor, set(permissions.duty_roles("imports_customers")))


def ensure_can_import(*, actor: User, project: Project) -> None:
    if project.pk not in importing_project_ids(actor):
        raise PermissionDenied()
