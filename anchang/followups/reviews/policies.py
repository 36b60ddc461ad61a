"""Who may comment on follow-ups, mark them reviewed and read a comment (主管批示)."""

from django.utils.translation import gettext as _

from anchang.customers.selectors import customers_for
from anchang.errors import NotFound, PermissionDenied
from anchang.followups.errors import Code
from anchang.followups.models import FollowUp, Review
from anchang.followups.policies import review_project_ids
from anchang.org.models import Project, User


def ensure_can_review_followup(*, actor: User, followup: FollowUp) -> None:
    """Who may comment: whoever may reassign the follow-up's customer (a manager of the
    project, an admin). Someone who may not even see the customer learns nothing (404)."""
    if not customers_for(actor, "view").filter(pk=followup.customer_id).exists():
        raise NotFound()
    if not customers_for(actor, "reassign").filter(pk=followup.customer_id).exists():
        raise PermissionDenied(_("Only a manager of the project may comment on follow-ups."))
    if followup.author_id == actor.pk:
        raise PermissionDenied(
            _("You cannot comment on your own follow-up; another manager reviews it."),
            code=Code.OWN_FOLLOWUP,
        )


def can_review_project(*, actor: User, project: Project | None) -> bool:
    """Whether the actor reviews the project's follow-ups; `project` None: any project."""
    ids = review_project_ids(actor)
    return bool(ids) if project is None else project.pk in ids


def ensure_can_review_project(*, actor: User, project: Project | None) -> None:
    if not can_review_project(actor=actor, project=project):
        raise PermissionDenied(_("Only a manager of the project may review its follow-ups."))


def can_read_review(*, actor: User, review: Review) -> bool:
    """A comment is the addressee's to read ("got it")."""
    return review.consultant_id == actor.pk


def ensure_can_read_review(*, actor: User, review: Review) -> None:
    """For anyone but the addressee the comment does not exist (404)."""
    if not can_read_review(actor=actor, review=review):
        raise NotFound()
