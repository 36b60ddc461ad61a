"""Channel reports (渠道报备): valid unless the phone is known or already reported; a visit in
the window is credited, then a deal; the tick expires what waited too long; an agent's reports
per hour are limited; the agent learns nothing about who else holds a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anchang.assignment.channels import services
from anchang.assignment.models import ChannelReport
from anchang.customers.services import customer_create
from anchang.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from anchang.org.models import Role
from anchang.org.services import membership_grant
from tests.conftest import make_user, next_phone
from tests.customers.helpers import FIRST_VISIT
from tests.deals.helpers import building, office, subscribe


def channel(world, o, name: str = "链家", agents: int = 1):
    """A channel company of the office's project and its agents (channel role)."""
    company = services.company_create(actor=o.manager, project=o.project, name=name)
    people = []
    for i in range(agents):
        user = make_user(f"{name}-agent{i}", f"{name}经纪人{i}")
        membership_grant(user=user, role=Role.CHANNEL, company=world.company, project=o.project)
        services.agent_add(actor=o.manager, company=company, user=user)
        people.append(user)
    return company, people


def test_a_report_of_a_new_phone_is_valid_with_its_windows(world):
    o = office(world)
    _company, (agent,) = channel(world, o)
    now = timezone.now()
    made = services.report_submit(actor=agent, name="王先生", phone="138 0013 8000", now=now)
    assert made.status == "valid" and made.phone == "+8613800138000"
    assert made.visit_by == now + timedelta(days=7) and made.deal_by is None


def test_a_known_phone_or_a_reported_one_is_not_valid(world):
    o = office(world)
    _company, (agent,) = channel(world, o)
    _other, (rival,) = channel(world, o, "我爱我家")
    known = world.customer(o.project, o.consultant, "老客户")
    assert services.report_submit(actor=agent, name="老客户", phone=known.phone).reason == "known"
    phone = next_phone()
    assert services.report_submit(actor=rival, name="新客户", phone=phone).status == "valid"
    second = services.report_submit(actor=agent, name="新客户", phone=phone)
    assert (second.status, second.reason) == ("invalid", "reported")


def test_a_visit_in_the_window_then_a_deal_credits_the_channel(world):
    o = office(world)
    _company, (agent,) = channel(world, o)
    phone = next_phone()
    services.report_submit(actor=agent, name="买家", phone=phone)
    customer = customer_create(actor=o.consultant, project=o.project, name="买家",
                               phone=phone, owner=o.consultant)  # fmt: skip
    report = services.visit_credit(customer=customer, at=timezone.now())
    assert report.status == "visited" and report.deal_by is not None
    unit = building(o).units.order_by("pk").first()
    deal = subscribe(world, o, unit, customer=customer, method="full")
    report.refresh_from_db()
    assert deal.channel_report_id == report.pk
    assert (report.status, report.commission) == ("dealt", "pending")


def _medium(o, kind: str):
    return o.project.media.get(kind=kind)


def test_a_visit_through_the_registration_service_is_credited(world):
    o = office(world)
    _company, (agent,) = channel(world, o)
    phone = next_phone()
    services.report_submit(actor=agent, name="到访客户", phone=phone)
    world.register(o.consultant, o.project, kind="visit", phone=phone, profile=FIRST_VISIT,
                   medium_id=_medium(o, "channel").pk)  # fmt: skip
    assert ChannelReport.objects.get().status == "visited"


def test_a_walk_in_who_names_another_medium_clashes_and_a_manager_decides(world):
    """渠道撞单: the visitor came inside the window but says they saw the billboard; the report
    waits for a manager (still protecting the phone); credited, the deal window starts at
    the visit; refused, with a note, it is not valid (came on their own)."""
    o = office(world)
    _company, (agent,) = channel(world, o)
    _rival, (other,) = channel(world, o, "我爱我家")
    for credit in (True, False):
        phone = next_phone()
        report = services.report_submit(actor=agent, name="自然到访", phone=phone)
        world.register(o.consultant, o.project, kind="visit", phone=phone, profile=FIRST_VISIT,
                       medium_id=_medium(o, "billboard").pk)  # fmt: skip
        report.refresh_from_db()
        assert (report.status, report.customer_id is not None) == ("disputed", True)
        assert services.report_submit(actor=other, name="抢报", phone=phone).reason == "known"
        with pytest.raises(ValidationFailed):
            services.report_decide(actor=o.manager, report=report, credit=False, note="")
        with pytest.raises(NotFound):
            services.report_decide(actor=o.consultant, report=report, credit=True)
        decided = services.report_decide(actor=o.manager, report=report, credit=credit,
                                         note="" if credit else "客户自己看到广告来的")  # fmt: skip
        if credit:
            assert decided.status == "visited" and decided.deal_by > decided.visited_at
        else:
            assert (decided.status, decided.reason) == ("invalid", "walk_in")
        with pytest.raises(Conflict):
            services.report_decide(actor=o.manager, report=report, credit=True)


def test_the_tick_expires_a_report_whose_visit_window_passed(world):
    o = office(world)
    _company, (agent,) = channel(world, o)
    then = timezone.now() - timedelta(days=8)
    services.report_submit(actor=agent, name="没来", phone=next_phone(), now=then)
    assert services.reports_expire() == 1
    assert ChannelReport.objects.get().status == "expired"


def test_an_agent_may_report_only_so_many_an_hour(world):
    o = office(world)
    o.project.rules_overrides = {"channels": {"reports_per_hour": 2}}
    o.project.save()
    _company, (agent,) = channel(world, o)
    for _ in range(2):
        services.report_submit(actor=agent, name="客户", phone=next_phone())
    with pytest.raises(Exception) as exc:
        services.report_submit(actor=agent, name="客户", phone=next_phone())
    assert getattr(exc.value, "status", None) == 429
    assert ChannelReport.objects.count() == 2


def test_only_an_agent_reports_and_bad_input_is_refused(world):
    o = office(world)
    _company, (agent,) = channel(world, o)
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=o.consultant, name="客户", phone=next_phone())
    for name, phone in (("", next_phone()), ("王" * 51, next_phone()), ("客户", "12345"),
                        ("客户", "=1+2")):  # fmt: skip
        with pytest.raises(ValidationFailed):
            services.report_submit(actor=agent, name=name, phone=phone)
    assert not ChannelReport.objects.exists()


def test_a_report_outside_the_agents_project_cannot_be_made(world):
    o = office(world)
    _company, (agent,) = channel(world, o)
    # the agent's company is p1's; their membership elsewhere gives no company
    other = make_user("lone-agent")
    membership_grant(user=other, role=Role.CHANNEL, company=world.company, project=world.p3)
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=other, name="客户", phone=next_phone())
    assert services.report_submit(actor=agent, name="客户", phone=next_phone()).project_id == (
        o.project.pk
    )
