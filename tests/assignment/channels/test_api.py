"""Channel reports through the API: the agent learns valid or not with the phone masked, and
nothing of who holds it; managers read the reason and settle commissions; two agents
reporting one phone at once make one valid report (both databases)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anchang.assignment.models import ChannelReport
from tests.assignment.channels.test_services import channel
from tests.conftest import next_phone
from tests.deals.helpers import office
from tests.deals.test_api import _error
from tests.deals.test_opening_race import _race


def _report(api, name="客户", phone=None, **kw):
    body = {"name": name, "phone": phone or next_phone(), **kw}
    return api.post(reverse("api:channel-reports"), body, format="json")


def test_an_agent_learns_only_whether_the_report_is_valid(world, api_client):
    o = office(world)
    _company, (agent,) = channel(world, o)
    known = world.customer(o.project, o.consultant, "老客户")
    api_client.force_authenticate(agent)
    valid = _report(api_client, phone="138 0013 8000")
    assert valid.status_code == 201 and valid.json()["status"] == "valid"
    assert valid.json()["phone"] == "138****8000"
    invalid = _report(api_client, phone=known.phone).json()
    assert invalid["status"] == "invalid"
    assert set(invalid) == {"id", "name", "phone", "reported_at", "status", "visit_by", "deal_by"}
    mine = api_client.get(reverse("api:channel-reports")).json()
    assert len(mine) == 2 and all("****" in r["phone"] for r in mine)
    # managers see why
    api_client.force_authenticate(o.manager)
    theirs = api_client.get(
        reverse("api:channel-project-reports"), {"project": o.project.pk}
    ).json()
    assert {r["reason"] for r in theirs} == {"", "known"}


@pytest.mark.parametrize("body", [
    {"name": "", "phone": "13800138000"}, {"name": "王" * 51, "phone": "13800138000"},
    {"name": "王", "phone": "1" * 41}, {"name": "王", "phone": "abc"},
    {"name": ["王"], "phone": "13800138000"}, {"name": "王"}, {"phone": "13800138000"},
    {"name": "王", "phone": "13800138000", "agent": 1},
])  # fmt: skip
def test_a_bad_report_is_400_and_nothing_is_written(world, api_client, body):
    o = office(world)
    _company, (agent,) = channel(world, o)
    api_client.force_authenticate(agent)
    _error(api_client.post(reverse("api:channel-reports"), body, format="json"), 400)
    assert not ChannelReport.objects.exists()


def test_a_non_agent_cannot_report_and_a_consultant_cannot_read_a_projects_reports(
    world, api_client
):
    o = office(world)
    api_client.force_authenticate(o.consultant)
    _error(_report(api_client), 403)
    _error(
        api_client.get(reverse("api:channel-project-reports"), {"project": o.project.pk}),
        (403, 404),
    )


@pytest.mark.django_db(transaction=True)
def test_two_agents_reporting_one_phone_at_once_make_one_valid_report(world):
    o = office(world)
    _company, agents = channel(world, o, agents=2)
    phone = next_phone()

    def call(client, i):
        return client.post(reverse("api:channel-reports"), {"name": "同一客户", "phone": phone},
                           format="json")  # fmt: skip

    results = _race(agents, call)
    assert sorted(status for status, _ in results) == [201, 201]
    assert sorted(body["status"] for _, body in results) == ["invalid", "valid"]
    assert ChannelReport.objects.filter(status="valid").count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"credit": "maybe"},
        {"credit": False},
        {"credit": False, "note": "x" * 201},
        {"credit": True, "note": ["列表"]},
    ],
)
def test_a_bad_decision_is_400_and_changes_nothing(world, api_client, body):
    from tests.assignment.channels.test_pages import _disputed

    o = office(world)
    report = _disputed(world, o)
    api_client.force_authenticate(o.manager)
    answer = api_client.post(reverse("api:channel-decide", args=[report.pk]), body, format="json")
    assert answer.status_code == 400, answer.content
    assert ChannelReport.objects.get(pk=report.pk).status == "disputed"
    ok = api_client.post(reverse("api:channel-decide", args=[report.pk]), {"credit": True},
                         format="json")  # fmt: skip
    assert ok.status_code == 200 and ok.json()["status"] == "visited"
    again = api_client.post(reverse("api:channel-decide", args=[report.pk]), {"credit": True},
                            format="json")  # fmt: skip
    assert again.status_code == 409 and again.json()["code"] == "not_disputed"
