"""The channel pages: an agent reports from a phone and reads their own reports; the
managers' page lists the project's reports with the reason, adds companies and agents and
settles a commission."""

from __future__ import annotations

from django.urls import reverse

from anchang.assignment.models import ChannelReport
from tests.assignment.channels.test_services import channel
from tests.conftest import next_phone
from tests.deals.helpers import office


def test_an_agent_reports_from_the_phone_page(world, client):
    o = office(world)
    _company, (agent,) = channel(world, o)
    client.force_login(agent)
    page = client.get(reverse("assignment:channel-report"))
    assert page.status_code == 200 and 'data-testid="report-form"' in page.content.decode()
    response = client.post(
        reverse("assignment:channel-report"),
        {"name": "王先生", "phone": "138 0013 8000", "idempotency_key": "k"},
    )
    assert response.status_code == 302
    again = client.post(
        reverse("assignment:channel-report"),
        {"name": "王先生", "phone": "138 0013 8000", "idempotency_key": "k"},
    )
    assert again.status_code == 302 and ChannelReport.objects.count() == 1
    listed = client.get(reverse("assignment:channel-report")).content.decode()
    assert "138****8000" in listed and "13800138000" not in listed


def test_a_bad_phone_is_said_beside_the_field(world, client):
    o = office(world)
    _company, (agent,) = channel(world, o)
    client.force_login(agent)
    response = client.post(reverse("assignment:channel-report"), {"name": "王先生", "phone": "123"})
    assert response.status_code == 400
    assert 'data-field-error="phone"' in response.content.decode()


def test_the_manager_reads_reports_adds_a_company_and_settles_a_commission(world, client):
    o = office(world)
    _company, (agent,) = channel(world, o)
    client.force_login(agent)
    client.post(reverse("assignment:channel-report"), {"name": "客户", "phone": next_phone()})
    report = ChannelReport.objects.get()
    ChannelReport.objects.filter(pk=report.pk).update(status="dealt", commission="pending")
    client.force_login(o.manager)
    page = client.get(reverse("assignment:channel-reports"), {"project": o.project.pk})
    assert page.content.decode().count('data-testid="channel-report-row"') == 1
    added = client.post(
        reverse("assignment:channel-reports"),
        {"project": o.project.pk, "add_company": "1", "name": "中原地产"},
    )
    assert added.status_code == 302
    paid = client.post(reverse("assignment:channel-paid", args=[report.pk]))
    assert paid.status_code == 302
    assert ChannelReport.objects.get(pk=report.pk).commission == "paid"


def test_who_may_not_is_kept_out(world, client):
    o = office(world)
    client.force_login(o.consultant)
    assert client.get(reverse("assignment:channel-report")).status_code == 403
    assert client.get(reverse("assignment:channel-reports")).status_code == 403
