"""Who may decide on loss applications (战败审批)."""

from django.utils.translation import gettext as _

from anchang.customers import policies as customer_policies
from anchang.customers.selectors import customers_q
from anchang.errors import PermissionDenied
from anchang.followups.models import LossApplication
from anchang.org.models import User


def can_decide_losses(*, actor: User) -> bool:
    """The queue: for whoever may reassign some customers (a manager, an admin)."""
    return customers_q(actor, "reassign") is not None


def ensure_can_decide_loss(*, actor: User, application: LossApplication) -> None:
    """Whoever may reassign the customer, and not on their own application."""
    customer_policies.ensure_can_reassign_customer(actor=actor, customer=application.customer)
    if application.applicant_id == actor.pk:
        raise PermissionDenied(_("Someone else must decide on your own application."))
