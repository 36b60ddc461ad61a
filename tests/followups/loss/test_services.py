"""followups/loss: the services.

战败: apply, approve or reject; a lost customer who comes back returns with history."""

from __future__ import annotations

import pytest
from django.utils import timezone

from anchang.audit.models import AuditEntry
from anchang.errors import Conflict, PermissionDenied, ValidationFailed
from anchang.followups.loss.services import loss_apply, loss_approve, loss_reject
from anchang.followups.models import LossApplication
from anchang.followups.my_day.selectors import my_day


def test_apply_then_approve_takes_the_customer_off_my_day(setup):
    world, c1, customer, manager = setup
    customer.next_follow_up_on = timezone.localdate()
    customer.save()
    application = loss_apply(actor=c1, customer=customer, reason="bought_elsewhere",
                              competitor="绿城桂语")  # fmt: skip
    loss_approve(actor=manager, application=application, comment="同意")
    customer.refresh_from_db()
    assert customer.state == "lost" and customer.loss_reason == "bought_elsewhere"
    assert customer.next_follow_up_on is None
    assert my_day(c1).due_today == []
    assert AuditEntry.objects.filter(action="loss_decided").count() == 1
    # ...and coming back restores them, history intact
    again = world.register(c1, phone=customer.phone)
    assert again.customer.pk == customer.pk and again.customer.state == "prospect"
    assert again.customer.registrations.count() == 2


def test_reject_keeps_the_customer_and_says_why(setup):
    _world, c1, customer, manager = setup
    application = loss_apply(actor=c1, customer=customer, reason="budget")
    with pytest.raises(ValidationFailed):
        loss_reject(actor=manager, application=application, comment="")
    loss_reject(actor=manager, application=application, comment="再跟一次，周末有活动")
    customer.refresh_from_db()
    application.refresh_from_db()
    assert customer.state == "prospect"
    assert (
        application.status == "rejected" and application.decision_comment == "再跟一次，周末有活动"
    )


def test_own_application_and_double_decisions(setup):
    world, c1, customer, manager = setup
    own = world.register(manager).customer
    application = loss_apply(actor=manager, customer=own, reason="timing")
    with pytest.raises(PermissionDenied):
        loss_approve(actor=manager, application=application)
    other = loss_apply(actor=c1, customer=customer, reason="timing")
    loss_approve(actor=manager, application=other)
    with pytest.raises(Conflict):
        loss_reject(actor=manager, application=other, comment="迟了")


def test_bad_applications(setup):
    _world, c1, customer, manager = setup
    with pytest.raises(ValidationFailed) as info:
        loss_apply(actor=c1, customer=customer, reason="bought_elsewhere")
    assert "competitor" in info.value.fields
    with pytest.raises(ValidationFailed) as info:
        loss_apply(actor=c1, customer=customer, reason="other")
    assert "note" in info.value.fields
    with pytest.raises(ValidationFailed):
        loss_apply(actor=c1, customer=customer, reason="aliens")
    loss_apply(actor=c1, customer=customer, reason="budget")
    with pytest.raises(Conflict):
        loss_apply(actor=c1, customer=customer, reason="budget")
    assert LossApplication.objects.count() == 1


def test_a_consultant_cannot_decide(setup):
    world, c1, customer, _manager = setup
    application = loss_apply(actor=c1, customer=customer, reason="budget")
    with pytest.raises(PermissionDenied):
        loss_approve(actor=world.consultants["p1"][1], application=application)


def test_every_application_reason_is_a_profile_loss_reason():
    # An approved application writes its reason onto the customer's profile as is.
    from anchang.customers.choices import LossReason

    assert set(LossApplication.Reason.values) <= set(LossReason.values)
