"""战败: apply, approve or reject; a lost customer who comes back returns with history."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from anchang.audit.models import AuditEntry
from anchang.errors import Conflict, PermissionDenied, ValidationFailed
from anchang.followups.loss.services import loss_apply, loss_approve, loss_reject
from anchang.followups.models import LossApplication
from anchang.followups.my_day.selectors import my_day
from tests.conftest import make_user


@pytest.fixture
def setup(world):
    c1 = world.consultants["p1"][0]
    customer = world.register(c1).customer
    manager = world.grant(make_user("loss-mgr"), "manager")
    return world, c1, customer, manager


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


def test_pages_and_api(setup, client, api_client):
    _world, c1, customer, manager = setup
    client.force_login(c1)
    url = reverse("followups:loss-apply", args=[customer.pk])
    assert client.post(url, {"reason": "bought_elsewhere"}).status_code == 400
    assert client.post(url, {"reason": "location", "note": "太远"}).status_code == 302
    assert client.get(reverse("followups:loss-queue")).status_code == 403
    client.force_login(manager)
    page = client.get(reverse("followups:loss-queue")).content.decode()
    assert customer.name in page
    application = LossApplication.objects.get()
    response = client.post(reverse("followups:loss-queue"),
                           {"application": application.pk, "decision": "approve"})  # fmt: skip
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.state == "lost"

    api_client.force_authenticate(c1)
    other = _world.register(c1).customer
    created = api_client.post(
        reverse("api:losses"), {"customer": other.pk, "reason": "unreachable"}, format="json"
    )
    assert created.status_code == 201, created.content
    api_client.force_authenticate(manager)
    pk = created.json()["id"]
    rejected = api_client.post(reverse("api:loss-reject", args=[pk]), {"comment": ""},
                               format="json")  # fmt: skip
    assert rejected.status_code == 400 and "comment" in rejected.json()["fields"]
    rejected = api_client.post(reverse("api:loss-reject", args=[pk]), {"comment": "再试试"},
                               format="json")  # fmt: skip
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    api_client.force_authenticate(_world.consultants["p1"][1])
    assert api_client.post(reverse("api:loss-approve", args=[pk]), {},
                           format="json").status_code == 404  # fmt: skip


def test_every_application_reason_is_a_profile_loss_reason():
    # An approved application writes its reason onto the customer's profile as is.
    from anchang.customers.choices import LossReason

    assert set(LossApplication.Reason.values) <= set(LossReason.values)


def test_the_card_offers_give_up_only_when_an_application_can_succeed(setup, client):
    """While one application waits for a manager a second one is refused (409): the card
    says it is pending instead of offering the button; a rejection brings the button back,
    and following it succeeds."""
    _world, c1, customer, manager = setup
    client.force_login(c1)
    card = reverse("customers:detail", args=[customer.pk])
    apply_url = reverse("followups:loss-apply", args=[customer.pk])
    assert apply_url in client.get(card).content.decode()
    application = loss_apply(actor=c1, customer=customer, reason="budget")
    page = client.get(card).content.decode()
    assert apply_url not in page and "战败申请审批中" in page
    with pytest.raises(Conflict):  # what the button would have led to
        loss_apply(actor=c1, customer=customer, reason="budget")
    loss_reject(actor=manager, application=application, comment="再跟一跟")
    page = client.get(card).content.decode()
    assert apply_url in page and "战败申请审批中" not in page
    response = client.post(apply_url, {"reason": "timing"})
    assert response.status_code == 302
    assert LossApplication.objects.filter(customer=customer, status="pending").count() == 1
