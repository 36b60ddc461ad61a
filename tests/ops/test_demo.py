"""`anchang demo`: every role, three kinds of office, reproducible, loaded once."""

from __future__ import annotations

import phonenumbers
import pytest
from django.core.management import call_command
from django.db import transaction

from anchang.customers.models import Customer
from anchang.demo.build import DEMO_PASSWORD, build_demo
from anchang.org.models import Membership, Project, Region, Role, User


@pytest.fixture
def demo(db):
    return build_demo(seed=7, customers_per_consultant=3)


def test_demo_has_the_organisation_the_issue_asks_for(demo):
    assert Region.objects.count() == 2
    assert set(Project.objects.values_list("kind", flat=True)) == set(Project.Kind.values)
    # about 30 staff of the company; channel companies' agents are partners, not staff
    assert 25 <= User.objects.exclude(memberships__role=Role.CHANNEL).count() <= 40
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert set(demo.logins) == set(Role.values)


def test_every_demo_login_works(demo, client):
    for username in demo.logins.values():
        response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        client.post("/logout/")


def test_demo_names_are_chinese_and_phones_valid(demo):
    for customer in Customer.objects.all():
        assert all("\u4e00" <= ch <= "\u9fff" for ch in customer.name)
        number = phonenumbers.parse(customer.phone)
        assert phonenumbers.is_valid_number(number)
        assert customer.phone.startswith("+861349")  # the retired block, nobody's number


class _Rollback(Exception):
    pass


def _build_and_read(seed):
    try:
        with transaction.atomic():
            result = build_demo(seed=seed, customers_per_consultant=2)
            snapshot = (
                list(User.objects.order_by("id").values_list("username", "name")),
                sorted(Customer.objects.values_list("name", "phone")),
                result.logins,
            )
            raise _Rollback
    except _Rollback:
        return snapshot


@pytest.mark.slow
def test_same_seed_same_data(db):
    assert _build_and_read(11) == _build_and_read(11)
    assert _build_and_read(11) != _build_and_read(12)


@pytest.mark.slow
def test_demo_command_loads_once(db, capsys):
    call_command("demo", "--if-empty")
    out = capsys.readouterr().out
    assert "Demo log-ins" in out and "consultant" in out
    count = User.objects.count()
    call_command("demo", "--if-empty")
    assert User.objects.count() == count
    assert "already loaded" in capsys.readouterr().out


@pytest.mark.slow
def test_demo_follow_ups_and_pool_look_like_an_office_running_the_rules(db):
    from anchang.followups import rules
    from anchang.followups.models import FollowUp, LossApplication, Review
    from anchang.scheduler.services import tick

    build_demo(seed=11, customers_per_consultant=40)
    customers = Customer.objects.count()
    followups = FollowUp.objects.all()
    assert 4 * customers <= followups.count() <= 9 * customers
    # every reached record meets the playbook's minimum content (the padding is seeded)
    for followup in followups.filter(reached=True).only("kind", "content", "reached"):
        assert rules.content_shortfall(followup.kind, followup.content, reached=True) == 0
    assert followups.filter(reached=False).exists()
    pooled = Customer.objects.filter(pool_entered_at__isnull=False)
    assert pooled.exists() and not pooled.filter(owner__isnull=False).exists()
    assert not Customer.objects.filter(owner__isnull=False, owned_since__isnull=True).exists()
    assert Review.objects.exists() and LossApplication.objects.filter(status="pending").exists()
    # the rules have been running all along: the first tick has little to do, the next none
    first = tick().changes.get("reclaimed_to_pool", 0)
    assert 0 < first < customers * 0.03
    assert tick().changes == {}


def test_demo_last_contact_counts_the_follow_ups(db):
    """最近联系 in the demo follows the same rule as followup_record: no customer's last
    contact is older than their latest reached conversation."""
    from django.db.models import Max

    from anchang.followups.models import FollowUp
    from anchang.followups.rules import CONTACT_KINDS

    build_demo(seed=7, customers_per_consultant=5)
    latest = dict(
        FollowUp.objects.filter(reached=True, kind__in=CONTACT_KINDS)
        .values_list("customer_id")
        .annotate(at=Max("occurred_at"))
    )
    assert latest
    contacts = dict(Customer.objects.filter(pk__in=latest).values_list("id", "last_contact_at"))
    behind = [pk for pk, at in latest.items() if contacts[pk] is None or contacts[pk] < at]
    assert behind == []


@pytest.mark.slow
def test_demo_consultants_hold_less_than_the_cap_so_claims_can_succeed(db):
    """Each consultant's customers in play stay well under their intake, and the default
    intake is under the default hold cap: in the full demo a consultant may claim."""
    from django.db.models import Count

    from anchang.demo.build import PER_CONSULTANT
    from anchang.pool.rules import POOL_STATES, PoolRules

    per = 40
    build_demo(seed=11, customers_per_consultant=per)
    held = (
        Customer.objects.filter(owner__isnull=False, state__in=POOL_STATES)
        .values("owner")
        .annotate(n=Count("id"))
    )
    # the busiest consultant's share, scaled to the default intake (a small demo varies more)
    share = max(row["n"] for row in held) / per
    assert PER_CONSULTANT * share < PoolRules().max_active_customers


def test_each_demo_project_uses_its_trades_fields_products_and_grades(demo):
    """Issue 13, item 13: the demo looks like three trades, each by its own rules, and every
    card's grade has the history row that agrees with it."""
    from anchang.customers.models import Customer
    from anchang.org.models import Project
    from anchang.org.selectors import project_rules

    for project in Project.objects.all():
        rules = project_rules(project)
        asked = set(rules.completeness.weights) | {"loss_reason", "notes"}
        products = set(rules.intake.options["unit_type"])
        for customer in Customer.objects.filter(project=project):
            filled = {
                f for f in ("area_min", "purpose", "purchase_horizon", "decor_style", "house_area",
                            "trade_in", "eligibility", "floor_pref")
                if getattr(customer, f) not in (None, "")
            }  # fmt: skip
            assert filled <= asked, (project.kind, filled - asked)
            assert customer.unit_type in products | {""}, (project.kind, customer.unit_type)
            assert customer.grade in (*rules.grading.spec.scale, "")
            if customer.grade:
                latest = customer.grade_changes.order_by("-at", "-id").first()
                assert latest is not None and latest.to_grade == customer.grade


def test_each_demo_project_has_its_trades_templates_consent_and_messages(demo):
    from anchang.care.models import Consent, Message, MessageTemplate

    for project in Project.objects.all():
        names = set(MessageTemplate.objects.filter(project=project).values_list("name", flat=True))
        assert names and {"promotion", "service"} == set(
            MessageTemplate.objects.filter(project=project).values_list("purpose", flat=True)
        )
        sent = Message.objects.filter(project=project, status="kept")
        assert sent.exists() and not Message.objects.filter(status="queued").exists()
        # every marketing message went to a customer who had agreed then
        for message in sent.filter(purpose="promotion"):
            assert Consent.objects.filter(customer=message.customer, purpose="promotion").exists()
    # one customer a project replied TD
    assert Consent.objects.filter(granted=False, source="sms_reply").count() == 3
    assert len({tuple(sorted(MessageTemplate.objects.filter(project=p).values_list(
        "name", flat=True))) for p in Project.objects.all()}) == 3  # fmt: skip
