"""The care endpoints: the same services as the pages, the error format for refusals."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anchang.care.models import Message
from tests.care.helpers import care_office


@pytest.fixture
def api(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_send_list_and_repeat(world, api):
    c = care_office(world)
    client = api(c.consultant)
    url = reverse("api:customer-messages", args=[c.customer.pk])
    body = {"template": c.service.pk, "params": {"date": "周六"}, "idempotency_key": "a"}
    first = client.post(url, body, content_type="application/json")
    assert first.status_code == 201 and first.json()["body"].startswith("王芳您好")
    again = client.post(url, body, content_type="application/json")
    assert again.json()["id"] == first.json()["id"]
    assert [m["id"] for m in client.get(url).json()] == [first.json()["id"]]


TEMPLATE = object()  # the project's service template


@pytest.mark.parametrize(
    ("body", "code"),
    [({"params": {"date": "周六"}}, "invalid"),
     ({"template": "tmpl", "params": {"date": "周六"}}, "invalid"),
     ({"template": TEMPLATE, "params": {}}, "missing_variable"),
     ({"template": TEMPLATE, "params": {"name": "冒名", "date": "周六"}}, "unknown_variable"),
     ({"template": TEMPLATE, "params": {"date": "周六"}, "send_at": "2001-01-01T00:00:00Z"},
      "send_at_invalid"),
     ({"template": TEMPLATE, "params": {"date": "周六"}, "extra": 1}, "invalid"),
     ({"template": TEMPLATE, "params": "date"}, "invalid")],
)  # fmt: skip
def test_bad_input_is_a_400_with_its_code(world, api, body, code):
    c = care_office(world)
    client = api(c.consultant)
    body = {k: (c.service.pk if v is TEMPLATE else v) for k, v in body.items()}
    answer = client.post(reverse("api:customer-messages", args=[c.customer.pk]), body,
                         content_type="application/json")  # fmt: skip
    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] in (code, "unknown_field")
    assert not Message.objects.exists()


def test_consent_through_the_api(world, api):
    c = care_office(world, agreed=False)
    client = api(c.manager)
    url = reverse("api:customer-consent", args=[c.customer.pk])
    assert client.get(url).json() == []
    put = client.put(url, {"purpose": "promotion", "granted": True, "source": "form"},
                     content_type="application/json")  # fmt: skip
    assert put.status_code == 200 and put.json()["granted"] is True


def test_templates_only_where_one_sends(world, api):
    c = care_office(world)
    other = care_office(world, "p2")
    url = reverse("api:message-templates")
    mine = api(c.consultant).get(url, {"project": c.project.pk}).json()
    assert {t["name"] for t in mine} == {"签约提醒", "开放日邀请"}
    assert mine[0]["variables"]
    assert api(c.consultant).get(url, {"project": other.project.pk}).json() == []
    assert api(c.consultant).get(url, {"project": "²"}).status_code == 400


def test_batches_through_the_api(world, api):
    c = care_office(world)
    world.customer(c.project, c.consultant, "业主")
    c.project.rules_overrides = {"care": {"batch_approval_over": 1}}
    c.project.save()
    body = {"project": c.project.pk, "template": c.service.pk, "title": "签约提醒",
            "params": {"date": "周六"}, "audience": {"owner": str(c.consultant.pk)}}  # fmt: skip
    specialist = api(c.specialist)
    preview = specialist.post(reverse("api:batch-preview"), body, content_type="application/json")
    assert preview.status_code == 200, preview.content
    assert preview.json()["recipients"] == 2 and preview.json()["needs_approval"] is True
    made = specialist.post(reverse("api:batches"), body, content_type="application/json")
    assert made.status_code == 201 and made.json()["status"] == "pending"
    pk = made.json()["id"]
    own = specialist.post(reverse("api:batch-decide", args=[pk]), {"approve": True},
                          content_type="application/json")  # fmt: skip
    assert own.status_code == 403
    manager = api(c.manager)
    decided = manager.post(reverse("api:batch-decide", args=[pk]), {"approve": True},
                           content_type="application/json")  # fmt: skip
    assert decided.status_code == 200 and decided.json()["status"] in ("approved", "queued")
    assert "counts" in manager.get(reverse("api:batch", args=[pk])).json()
    assert [b["id"] for b in manager.get(reverse("api:batches")).json()] == [pk]


@pytest.mark.parametrize(
    "change",
    [{"project": 999999}, {"template": 999999}, {"audience": {"q": "张"}},
     {"audience": {"grade": "Z"}}, {"audience": "state=owner"}, {"title": "x" * 61},
     {"audience": {"owner": "𐩀"}}],
)  # fmt: skip
def test_bad_batches_are_refused_with_nothing_made(world, api, change):
    c = care_office(world)
    body = {"project": c.project.pk, "template": c.service.pk, "title": "签约提醒",
            "params": {"date": "周六"}, **change}  # fmt: skip
    answer = api(c.specialist).post(reverse("api:batches"), body, content_type="application/json")
    assert answer.status_code in (400, 404), answer.content
    from anchang.care.models import Batch

    assert not Batch.objects.exists()
