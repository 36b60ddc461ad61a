"""The channel pages: an agent reports from a phone and reads their own reports; the
managers' page lists the project's reports with the reason, adds companies and agents and
settles a commission."""

from __future__ import annotations

from django.urls import reverse

from anchang.assignment.models import ChannelReport
from tests.assignment.channels.test_services import channel
from tests.conftest import next_phone
from tests.customers.helpers import FIRST_VISIT
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


def _disputed(world, o):
    from anchang.assignment.channels import services

    _company, (agent,) = channel(world, o)
    phone = next_phone()
    report = services.report_submit(actor=agent, name="自然到访", phone=phone)
    world.register(o.consultant, o.project, kind="visit", phone=phone, profile=FIRST_VISIT,
                   medium_id=o.project.media.get(kind="billboard").pk)  # fmt: skip
    report.refresh_from_db()
    assert report.status == "disputed"
    return report


def test_the_manager_decides_a_clash_on_the_reports_page(world, client):
    o = office(world)
    report = _disputed(world, o)
    client.force_login(o.manager)
    page = client.get(reverse("assignment:channel-reports"), {"project": o.project.pk})
    assert 'data-testid="channel-decide"' in page.text
    url = reverse("assignment:channel-decide", args=[report.pk])
    for hostile in (
        {"credit": "maybe"},
        {"credit": "0", "note": ""},
        {"credit": "0", "note": "长" * 201},
        {},
    ):
        client.post(url, hostile)
        assert ChannelReport.objects.get(pk=report.pk).status == "disputed", hostile
    client.post(url, {"credit": "0", "note": "客户说是自己看到广告来的"})
    assert ChannelReport.objects.get(pk=report.pk).reason == "walk_in"
    assert client.post(url, {"credit": "1"}).status_code == 302  # decided: a message, no 500
    client.force_login(o.consultant)
    assert client.post(url, {"credit": "1"}).status_code == 403
