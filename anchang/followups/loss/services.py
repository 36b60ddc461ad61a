"""战败: applying to give a customer up, and a manager's decision (docs/domain.md#loss)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.customers import policies as customer_policies
from anchang.customers.choices import State
from anchang.customers.models import Customer
from anchang.errors import Conflict, ValidationFailed
from anchang.followups.errors import Code
from anchang.followups.loss import policies
from anchang.followups.models import LossApplication
from anchang.org.models import User
from anchang.validators import fold_spaces

COMMENT_MAX = 500


@transaction.atomic
def loss_apply(
    *,
    actor: User,
    customer: Customer,
    reason: str,
    competitor: str = "",
    note: str = "",
) -> LossApplication:
    customer_policies.ensure_can_edit_customer(actor=actor, customer=customer)
    competitor = fold_spaces(competitor)
    note = fold_spaces(note)
    errors = {}
    if reason not in LossApplication.Reason.values:
        errors["reason"] = _("Choose why the customer is lost.")
    if reason == LossApplication.Reason.BOUGHT_ELSEWHERE and not competitor:
        errors["competitor"] = _("Name the project or brand they bought.")
    if reason == LossApplication.Reason.OTHER and not note:
        errors["note"] = _("Say what happened.")
    if len(competitor) > 100:
        errors["competitor"] = _("At most %(n)d characters.") % {"n": 100}
    if len(note) > COMMENT_MAX:
        errors["note"] = _("At most %(n)d characters.") % {"n": COMMENT_MAX}
    if customer.state in (State.LOST, State.OWNER):
        errors["reason"] = _("This customer cannot be given up.")
    if errors:
        raise ValidationFailed(fields=errors)
    try:
        with transaction.atomic():
            return LossApplication.objects.create(
                customer=customer, project_id=customer.project_id, applicant=actor,
                reason=reason, competitor=competitor, note=note,
            )  # fmt: skip
    except IntegrityError as exc:
        raise Conflict(
            _("A loss application for this customer is already waiting."), code=Code.ALREADY_PENDING
        ) from exc


def _decide(actor: User, application: LossApplication, status: str, comment: str) -> None:
    policies.ensure_can_decide_loss(actor=actor, application=application)
    updated = LossApplication.objects.filter(
        pk=application.pk, status=LossApplication.Status.PENDING
    ).update(status=status, decided_by=actor, decided_at=timezone.now(), decision_comment=comment)
    if not updated:
        raise Conflict(_("This application has already been decided."), code=Code.ALREADY_DECIDED)
    application.refresh_from_db()


@transaction.atomic
def loss_approve(
    *, actor: User, application: LossApplication, comment: str = "",
) -> LossApplication:  # fmt: skip
    """Approved: the customer is lost and leaves the consultant's day."""
    comment = fold_spaces(comment)[:COMMENT_MAX]
    _decide(actor, application, LossApplication.Status.APPROVED, comment)
    customer = Customer.objects.select_for_update().get(pk=application.customer_id)
    customer.state = State.LOST
    # The application's reasons are a subset of the profile's (customers.choices.LossReason).
    customer.loss_reason = application.reason
    customer.next_follow_up_on = None
    customer.version += 1
    customer._history_user = actor
    customer._change_reason = _("loss approved")
    customer.save()
    audit_record(
        action=AuditEntry.Action.LOSS_DECIDED, actor=actor, obj=customer,
        project=customer.project,
        details={"decision": "approved", "reason": application.reason},
    )  # fmt: skip
    return application


@transaction.atomic
def loss_reject(
    *, actor: User, application: LossApplication, comment: str,
) -> LossApplication:  # fmt: skip
    """Rejected: the customer stays with the consultant, with the manager's comment."""
    comment = fold_spaces(comment)
    if not comment:
        raise ValidationFailed(fields={"comment": _("Tell the consultant why.")})
    if len(comment) > COMMENT_MAX:
        raise ValidationFailed(fields={"comment": _("At most %(n)d characters.") % {"n": 500}})
    _decide(actor, application, LossApplication.Status.REJECTED, comment)
    audit_record(
        action=AuditEntry.Action.LOSS_DECIDED, actor=actor, obj=application.customer,
        project=application.customer.project,
        details={"decision": "rejected"},
    )  # fmt: skip
    return application
