"""followups: the pages (the HTML door).

Recording follow-ups, grading, cadence and My day."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from anchang.customers.models import Customer
from anchang.followups.models import FollowUp
from tests.conftest import make_user
from tests.followups.helpers import LONG_PHONE_NOTE


class TestPages:
    def test_record_through_the_page(self, world, c1, customer, client):
        client.force_login(c1)
        url = reverse("followups:new", args=[customer.pk])
        assert client.get(url).status_code == 200
        response = client.post(url, {"kind": "phone", "reached": "yes", "content": "太短"})
        assert response.status_code == 400
        assert b'data-field-error="content"' in response.content
        response = client.post(
            url, {"kind": "phone", "reached": "yes", "content": LONG_PHONE_NOTE, "grade": "B",
                  "signals": ["bargaining"], "next": "/"},
        )  # fmt: skip
        assert response.status_code == 302 and response["Location"] == "/"
        assert FollowUp.objects.get().signals == ["bargaining"]

    def test_grade_page(self, world, c1, customer, client):
        client.force_login(c1)
        url = reverse("followups:grade", args=[customer.pk])
        page = client.get(url)
        assert page.status_code == 200 and b"suggested-grade" in page.content
        response = client.post(url, {"grade": "C", "reason": "有意向", "accepts_product": "yes"})
        assert response.status_code == 302
        customer.refresh_from_db()
        assert customer.grade == "C" and customer.grade_checks["accepts_product"] is True

    def test_clerk_cannot_record(self, world, customer, client):
        client.force_login(world.grant(make_user("clerk-f"), "clerk"))
        assert client.get(reverse("followups:new", args=[customer.pk])).status_code == 403


def test_manager_sees_the_teams_overdue_board(world, client):
    c1, c2 = world.consultants["p1"]
    today = timezone.localdate()
    for consultant, late in ((c1, 3), (c2, 1)):
        for i in range(late):
            customer = world.register(consultant).customer
            Customer.objects.filter(pk=customer.pk).update(
                next_follow_up_on=today - timedelta(days=i + 1)
            )
    manager = world.grant(make_user("mgr-board"), "manager")
    client.force_login(manager)
    response = client.get(reverse("home"))
    owners = {row["owner_id"]: row for row in response.context["overview"][0]["owners"]}
    assert owners[c1.pk]["overdue"] == 3 and owners[c2.pk]["overdue"] == 1
    assert f'data-testid="overdue-link-{c1.pk}">3<' in response.content.decode()


def test_a_followup_recorded_from_the_card_returns_to_the_card(client, c1, customer):
    """The card's link carries next=<card>; the form keeps it and the save lands there."""
    import re
    from html import unescape

    client.force_login(c1)
    card = reverse("customers:detail", args=[customer.pk])
    page = client.get(card).content.decode()
    link = unescape(re.search(r'href="([^"]+)" data-testid="record-followup"', page)[1])
    form_page = client.get(link)
    assert f'name="next" value="{card}"' in form_page.content.decode()
    body = {"kind": "phone", "reached": "yes", "content": LONG_PHONE_NOTE, "next": card,
            "idempotency_key": form_page.context["form"]["idempotency_key"].value()}  # fmt: skip
    response = client.post(link, body)
    assert response.status_code == 302 and response["Location"] == card
