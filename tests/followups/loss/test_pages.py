"""followups/loss: the pages (the HTML door).

战败: apply, approve or reject; a lost customer who comes back returns with history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anchang.errors import Conflict
from anchang.followups.loss.services import loss_apply, loss_reject
from anchang.followups.models import LossApplication


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
