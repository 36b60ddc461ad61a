"""The care pages: an SMS to one customer from their card, and a consent answer. Each
refusal of the service shows beside its field; the card shows what the reader may do."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from anchang.care.models import Message
from tests.care.helpers import care_office

DAYTIME = datetime(2026, 12, 8, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _login(client, user):
    client.force_login(user)


def test_the_card_shows_messages_consent_and_the_send_button_to_whom_may(world, client):
    c = care_office(world)
    _login(client, c.consultant)
    page = client.get(reverse("customers:detail", args=[c.customer.pk])).content.decode()
    assert 'data-testid="card-messages"' in page and 'data-testid="card-send-sms"' in page
    assert 'data-testid="card-consent-edit"' in page


def test_an_sms_from_the_page_with_its_preview_and_errors(world, client):
    c = care_office(world)
    _login(client, c.consultant)
    url = reverse("care:message-new", args=[c.customer.pk])
    page = client.get(url, {"template": c.service.pk}).content.decode()
    assert "王芳您好" in page and 'name="var_date"' in page
    # a variable left empty: the form says so, nothing is queued
    missing = client.post(url, {"send": "1", "template": c.service.pk, "var_date": ""})
    assert missing.status_code == 400 and not Message.objects.exists()
    sent = client.post(url, {"send": "1", "template": c.service.pk, "var_date": "周六",
                             "idempotency_key": "k1"})  # fmt: skip
    assert sent.status_code == 302
    again = client.post(url, {"send": "1", "template": c.service.pk, "var_date": "周六",
                              "idempotency_key": "k1"})  # fmt: skip
    assert again.status_code == 302 and Message.objects.count() == 1  # a double tap


@pytest.mark.parametrize("template", ["999999", "x", "", "１"])
def test_a_template_not_of_the_project_is_refused(world, client, template):
    c = care_office(world)
    _login(client, c.consultant)
    url = reverse("care:message-new", args=[c.customer.pk])
    answer = client.post(url, {"send": "1", "template": template, "var_date": "周六"})
    assert answer.status_code in (400, 404) and not Message.objects.exists()


def test_a_colleague_and_a_clerk_cannot_open_the_sms_page(world, client):
    c = care_office(world)
    _login(client, c.colleague)
    assert client.get(reverse("care:message-new", args=[c.customer.pk])).status_code == 404
    assert client.get(reverse("care:consent", args=[c.customer.pk])).status_code == 404


def test_consent_from_the_page(world, client):
    c = care_office(world, agreed=False)
    _login(client, c.specialist)
    url = reverse("care:consent", args=[c.customer.pk])
    answer = client.post(url, {"purpose": "promotion", "granted": "yes", "source": "verbal"})
    assert answer.status_code == 302
    assert c.customer.consents.get(purpose="promotion").granted is True
    # an SMS reply is the customer's own, never recorded by staff
    forged = client.post(url, {"purpose": "promotion", "granted": "no", "source": "sms_reply"})
    assert forged.status_code == 400
    assert c.customer.consents.get(purpose="promotion").granted is True


def _batch_office(world):
    c = care_office(world)
    for i in range(3):
        world.customer(c.project, c.consultant, f"业主{i}")
    return c


def test_a_batch_from_the_page_preview_then_save(world, client, django_capture_on_commit_callbacks):
    c = _batch_office(world)
    _login(client, c.specialist)
    url = reverse("care:batch-new")
    page = client.get(url, {"template": c.service.pk}).content.decode()
    assert 'name="var_date"' in page and 'name="owner"' in page
    form = {"project": c.project.pk, "template": c.service.pk, "title": "签约提醒",
            "owner": str(c.consultant.pk), "var_date": "周六", "idempotency_key": "b1"}  # fmt: skip
    preview = client.post(url, {**form, "preview": "1"})
    assert preview.status_code == 200 and 'data-testid="batch-preview"' in preview.content.decode()
    assert not Message.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(url, {**form, "create": "1"})
    assert saved.status_code == 302
    assert Message.objects.filter(batch__isnull=False).count() == 4
    detail = client.get(saved["Location"]).content.decode()
    assert 'data-testid="batch-counts"' in detail
    assert client.get(reverse("care:batches")).status_code == 200


def test_a_manager_approves_a_large_batch_on_its_page(world, client):
    c = _batch_office(world)
    c.project.rules_overrides = {"care": {"batch_approval_over": 1}}
    c.project.save()
    _login(client, c.specialist)
    form = {"project": c.project.pk, "template": c.service.pk, "title": "签约提醒",
            "var_date": "周六", "create": "1"}  # fmt: skip
    saved = client.post(reverse("care:batch-new"), form)
    page = client.get(saved["Location"]).content.decode()
    assert 'data-testid="batch-decide"' not in page  # not on one's own
    assert f"{{name}}您好，{c.project.name}提醒您周六签约" in page  # the text to approve
    _login(client, c.manager)
    assert client.post(saved["Location"], {"decision": "reject"}).status_code == 400  # why?
    assert client.post(saved["Location"], {"decision": "approve"}).status_code == 302
    from anchang.care.models import Batch

    assert Batch.objects.get().status == "approved"  # queued after the commit


def test_a_consultant_has_no_batch_pages(world, client):
    c = _batch_office(world)
    _login(client, c.consultant)
    assert client.get(reverse("care:batches")).status_code == 403
    assert client.get(reverse("care:batch-new")).status_code == 403
