"""followups: the API.

Recording follow-ups, grading, cadence and My day."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anchang.customers.models import Customer
from anchang.followups.models import FollowUp
from tests.followups.helpers import LONG_PHONE_NOTE, record


class TestApi:
    def test_record_grade_and_my_day_through_the_api(self, world, c1, customer, api_client):
        api_client.force_authenticate(c1)
        response = api_client.post(
            reverse("api:followups"),
            {"customer": customer.pk, "kind": "phone", "content": LONG_PHONE_NOTE, "grade": "A"},
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["grade"] == "A"
        short = api_client.post(
            reverse("api:followups"),
            {"customer": customer.pk, "kind": "visit", "content": "短"},
            format="json",
        )
        assert short.status_code == 400 and short.json()["code"] == "content_too_short"
        grade = api_client.get(reverse("api:grade", args=[customer.pk])).json()
        assert grade["grade"] == "A" and grade["changes"][0]["to_grade"] == "A"
        posted = api_client.post(
            reverse("api:grade", args=[customer.pk]),
            {"grade": "D", "reason": "预算不够", "checks": {"accepts_price": False}},
            format="json",
        )
        assert posted.status_code == 200 and posted.json()["suggested"] == "D"
        Customer.objects.filter(pk=customer.pk).update(next_follow_up_on=timezone.localdate())
        day = api_client.get(reverse("api:my-day")).json()
        assert [c["id"] for c in day["due_today"]] == [customer.pk]

    def test_follow_up_on_an_invisible_customer_is_404(self, world, customer, api_client):
        api_client.force_authenticate(world.consultants["p1"][1])
        response = api_client.post(
            reverse("api:followups"),
            {"customer": customer.pk, "kind": "phone", "content": LONG_PHONE_NOTE},
            format="json",
        )
        assert response.status_code == 404
        assert not FollowUp.objects.exists()

    def test_bad_input(self, c1, customer, api_client):
        api_client.force_authenticate(c1)
        for body in ({}, {"customer": customer.pk, "kind": "fax"},
                     {"customer": customer.pk, "kind": "phone", "content": LONG_PHONE_NOTE,
                      "next_on": "2000-01-01"},
                     {"customer": customer.pk, "kind": "phone", "content": LONG_PHONE_NOTE,
                      "grade": "Q"},
                     {"customer": customer.pk, "kind": "phone", "signals": ["x"]}):  # fmt: skip
            response = api_client.post(reverse("api:followups"), body, format="json")
            assert response.status_code == 400, body
        assert not FollowUp.objects.exists()


class TestIdempotency:
    def test_a_retry_with_the_key_answers_with_the_first_followup(self, c1, customer):
        first = record(c1, customer, idempotency_key="k1")
        again = record(c1, customer, idempotency_key="k1", content=LONG_PHONE_NOTE + "重发")
        assert again.pk == first.pk
        assert FollowUp.objects.filter(customer=customer).count() == 1
        assert record(c1, customer, idempotency_key="k2").pk != first.pk

    def test_a_key_reused_for_another_customer_is_refused(self, world, c1, customer):
        from anchang.errors import Conflict

        record(c1, customer, idempotency_key="k1")
        other = world.register(c1).customer
        with pytest.raises(Conflict) as refused:
            record(c1, other, idempotency_key="k1")
        assert refused.value.code == "idempotency_key_reused"
        assert not FollowUp.objects.filter(customer=other).exists()

    def test_each_rendered_form_carries_its_own_key(self, client, c1, customer):
        client.force_login(c1)
        url = reverse("followups:new", args=[customer.pk])
        pages = [client.get(url).content.decode() for _ in range(2)]
        found = [re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', p) for p in pages]
        assert all(found) and found[0][1] != found[1][1]

    @pytest.mark.parametrize("where", ["header", "field"])
    def test_an_oversized_key_is_a_400(self, api_client, c1, customer, where):
        api_client.force_authenticate(c1)
        body = {"customer": customer.pk, "kind": "phone", "content": LONG_PHONE_NOTE}
        headers = {}
        if where == "header":
            headers["HTTP_IDEMPOTENCY_KEY"] = "k" * 65
        else:
            body["idempotency_key"] = "k" * 65
        response = api_client.post(reverse("api:followups"), body, format="json", **headers)
        assert response.status_code == 400
        assert "idempotency_key" in response.json()["fields"]
        assert not FollowUp.objects.filter(customer=customer).exists()

    def test_the_schema_documents_the_header(self, api_client, c1):
        api_client.force_authenticate(c1)
        schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
        params = schema["paths"]["/api/v1/followups/"]["post"].get("parameters", [])
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in params)


class TestLastContact:
    """最近联系: a conversation (a reached call, visit, WeChat or event) is a contact; an
    unanswered call or a text sent out is not."""

    @pytest.mark.parametrize("kind", FollowUp.Kind.values)
    @pytest.mark.parametrize("reached", [True, False])
    def test_a_contact_moves_last_contact(self, world, c1, kind, reached):
        registered_at = timezone.now() - timedelta(days=10)
        customer = world.register(c1, occurred_at=registered_at).customer
        before = Customer.objects.get(pk=customer.pk).last_contact_at
        followup = record(c1, customer, kind=kind, reached=reached,
                          content=LONG_PHONE_NOTE * 2)  # fmt: skip
        after = Customer.objects.get(pk=customer.pk).last_contact_at
        if reached and kind != "sms":
            assert after == followup.occurred_at
        else:
            assert after == before

    def test_a_backdated_contact_does_not_move_it_back(self, world, c1, customer):
        latest = Customer.objects.get(pk=customer.pk).last_contact_at
        record(c1, customer, occurred_at=latest - timedelta(days=3))
        assert Customer.objects.get(pk=customer.pk).last_contact_at == latest

    def test_the_list_sorts_and_filters_by_it(self, world, c1, api_client):
        called = world.register(c1, name="跟进过", occurred_at=timezone.now() - timedelta(days=20))
        silent = world.register(c1, name="没联系", occurred_at=timezone.now() - timedelta(days=9))
        record(c1, called.customer)
        record(c1, silent.customer, reached=False, content="")  # nobody answered
        api_client.force_authenticate(c1)
        url = reverse("api:customers")
        ordered = api_client.get(url, {"order": "last_contact"}).json()["results"]
        assert [c["id"] for c in ordered][:2] == [called.customer.pk, silent.customer.pk]
        today = timezone.localdate().isoformat()
        recent = api_client.get(url, {"contact_from": today}).json()["results"]
        assert [c["id"] for c in recent] == [called.customer.pk]
