"""Who may make, report on, review and work a revisit plan (回访计划)."""

from django.utils.translation import gettext as _

from anchang import permissions
from anchang.errors import PermissionDenied
from anchang.followups.models import RevisitPlan, RevisitTask
from anchang.followups.policies import review_project_ids
from anchang.org.models import Project, User
from anchang.org.selectors import project_ids_where


def plan_roles() -> set[str]:
    """The roles that make plans: the revisit-plan page's, in the projects where held."""
    return set(permissions.page_roles("revisit_plans"))


def can_create_plan(*, actor: User, project: Project) -> bool:
    return getattr(project, "pk", None) in project_ids_where(actor, plan_roles())


def can_create_plans(*, actor: User) -> bool:
    """In some project at all: the list page's "new plan"."""
    return bool(project_ids_where(actor, plan_roles()))


def can_report_plan(*, actor: User, plan: RevisitPlan) -> bool:
    return plan.created_by_id == actor.pk


def ensure_can_report_plan(*, actor: User, plan: RevisitPlan) -> None:
    if not can_report_plan(actor=actor, plan=plan):
        raise PermissionDenied(_("Only the person who created the plan reports on it."))


def can_review_plan(*, actor: User, plan: RevisitPlan) -> bool:
    """A manager of the plan's project (review_project_ids), and not the one who made it."""
    return plan.created_by_id != actor.pk and plan.project_id in review_project_ids(actor)


def ensure_can_review_plan(*, actor: User, plan: RevisitPlan) -> None:
    if plan.project_id not in review_project_ids(actor):
        raise PermissionDenied(_("Only a manager of the project reviews plans."))
    if plan.created_by_id == actor.pk:
        raise PermissionDenied(_("Someone else must review your own plan."))


def can_record_task(*, actor: User, plan: RevisitPlan, task: RevisitTask) -> bool:
    """The customer's owner records the follow-up that completes an open task, while the
    plan runs (`task.customer` loaded; `plan` is the task's)."""
    return (
        task.status == RevisitTask.Status.OPEN
        and plan.status == RevisitPlan.Status.OPEN
        and not plan.closed_at
        and task.customer.owner_id == actor.pk
    )
