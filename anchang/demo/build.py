"""Deterministic demo data: 2 regions, 3 projects (real estate, dealership, home
improvement), about 30 staff across every role, and a few customers per consultant.
Staff go through the services; six months of customers and registrations are bulk
loaded from the same derivations the services use (anchang.demo.intake)."""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from pypinyin import lazy_pinyin

from anchang.customers.services import media_ensure_defaults
from anchang.demo.care import build_care
from anchang.demo.deals import (
    TOTAL_CAP,
    Staff,
    build_catalogue,
    build_contract_forms,
    build_deals,
)
from anchang.demo.followups import build_followups
from anchang.demo.intake import build_intake
from anchang.demo.names import chinese_name
from anchang.demo.reception import build_channels, build_conflicts, build_queue, build_reception
from anchang.errors import ValidationFailed
from anchang.followups.revisits.services import plan_create
from anchang.followups.suspicion.services import SETTLE, flags_backfill
from anchang.org.models import Company, Project, Region, Role, Team, User
from anchang.org.services import membership_grant, staff_create

DEMO_PASSWORD = "anchang-demo-2026"  # noqa: S105 - printed for the demo; not a secret


@dataclass
class DemoResult:
    logins: dict[str, str] = field(default_factory=dict)  # role → username
    staff: int = 0
    customers: int = 0
    registrations: int = 0
    followups: int = 0
    deals: int = 0
    reception: int = 0  # ledger entries of the week's walk-in rotation


PROJECTS = [
    # (region code, project code, name, kind, consultants)
    ("east", "jinxiu", "锦绣江南营销中心", Project.Kind.REAL_ESTATE, 6),
    ("east", "meijia", "美家整装体验店", Project.Kind.HOME_IMPROVEMENT, 4),
    ("south", "xingchi", "星驰汽车4S店", Project.Kind.DEALERSHIP, 5),  # grades H/A/B/C
]
PROJECT_ROLES = [Role.MANAGER, Role.CLERK, Role.PLANNER, Role.CARE]
# Designers (设计师) work the store's dispatched orders (派单).
DESIGNERS = {"meijia": 6}
# Six months of intake per consultant. An office running the pool rules keeps each
# consultant's customers in play under the hold cap (default 200): at most ~95% of the
# intake is still in play, so a consultant can claim from the pool in the demo.
PER_CONSULTANT = 180
# Channel companies' agents (渠道经纪人) per project.
CHANNEL_AGENTS = 4
# The assignment queue's leads take their numbers from a block of their own.
QUEUE_PHONES = 9_000_000


def _username(name: str, taken: set[str]) -> str:
    base = "".join(lazy_pinyin(name)).lower()
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    taken.add(candidate)
    return candidate


@transaction.atomic
def build_demo(*, seed: int = 2026, customers_per_consultant: int = PER_CONSULTANT) -> DemoResult:
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    result = DemoResult()
    taken: set[str] = set(User.objects.values_list("username", flat=True))

    def person(role_key: str) -> User:
        name = chinese_name(rng)
        user = staff_create(username=_username(name, taken), name=name, password=DEMO_PASSWORD)
        result.staff += 1
        result.logins.setdefault(role_key, user.username)
        return user

    company = Company.objects.create(name="安居集团", code="anju")
    regions = {
        "east": Region.objects.create(company=company, name="华东事业部", code="east"),
        "south": Region.objects.create(company=company, name="华南事业部", code="south"),
    }
    admin = person(Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    membership_grant(user=admin, role=Role.ADMIN, company=company)
    membership_grant(user=person(Role.AUDITOR), role=Role.AUDITOR, company=company)
    for region in regions.values():
        membership_grant(
            user=person(Role.MARKETING), role=Role.MARKETING, company=company, region=region
        )

    phone_index = 0
    offices: list[tuple[Project, User, list[User]]] = []
    for region_code, code, name, kind, consultant_count in PROJECTS:
        # Each trade's fields, products and grades are its rules' defaults (the dealership
        # grades H/A/B/C by purchase horizon); the demo needs no overrides for them.
        project = Project.objects.create(
            region=regions[region_code], code=code, name=name, kind=kind,
        )  # fmt: skip
        team = Team.objects.create(project=project, name="销售一组")
        staff = {}
        for role in PROJECT_ROLES:
            staff[role] = person(role)
            membership_grant(
                user=staff[role], role=role, company=company, project=project, team=team
            )
        media_ensure_defaults(project=project)
        consultants = []
        for _ in range(consultant_count):
            consultant = person(Role.CONSULTANT)
            membership_grant(
                user=consultant, role=Role.CONSULTANT, company=company, project=project, team=team
            )
            consultants.append(consultant)
        for _ in range(DESIGNERS.get(code, 0)):
            membership_grant(
                user=person(Role.DESIGNER), role=Role.DESIGNER, company=company, project=project,
                team=team,
            )  # fmt: skip
        customers, registrations = build_intake(
            rng=rng, project=project, consultants=consultants,
            per_consultant=customers_per_consultant, phone_start=phone_index,
        )  # fmt: skip
        phone_index += customers
        result.followups += build_followups(
            rng=rng, project=project, consultants=consultants, manager=staff[Role.MANAGER]
        )
        _revisit_plan(project, staff[Role.MANAGER])
        sales = Staff(manager=staff[Role.MANAGER], clerk=staff[Role.CLERK])
        build_catalogue(rng=rng, project=project, staff=sales)
        result.deals += build_deals(
            rng=rng, project=project, staff=sales, budget=TOTAL_CAP // len(PROJECTS),
            showcase=consultants[0],
        )  # fmt: skip
        build_contract_forms(rng=rng, project=project, staff=sales)
        # its own random stream, so the data built before it stays as it was
        result.customers += build_queue(
            rng=random.Random(f"{seed}-{code}-queue"),  # noqa: S311 - demo data
            project=project, actor=staff[Role.PLANNER],
            phone_start=QUEUE_PHONES + 1000 * [p[1] for p in PROJECTS].index(code),
        )  # fmt: skip
        build_conflicts(
            rng=random.Random(f"{seed}-{code}-conflicts"),  # noqa: S311 - demo data
            project=project, consultants=consultants, manager=staff[Role.MANAGER],
        )  # fmt: skip
        offices.append((project, staff[Role.MANAGER], consultants))
        result.reception += build_reception(
            rng=random.Random(f"{seed}-{code}-reception"),  # noqa: S311 - demo data
            project=project, desk=staff[Role.CLERK], consultants=consultants,
        )  # fmt: skip
        result.customers += customers
        result.registrations += registrations
        build_care(
            rng=random.Random(f"{seed}-{code}-care"),  # noqa: S311 - demo data
            project=project, consultants=consultants,
        )  # fmt: skip
    # Channel agents last, so the names drawn for them shift nothing built before.
    for project, manager, consultants in offices:
        agents = []
        for _ in range(CHANNEL_AGENTS):
            agent = person(Role.CHANNEL)
            membership_grant(user=agent, role=Role.CHANNEL, company=company, project=project)
            agents.append(agent)
        build_channels(
            rng=random.Random(f"{seed}-{project.code}-channels"),  # noqa: S311 - demo data
            project=project, manager=manager, agents=agents, consultants=consultants,
            phone_start=QUEUE_PHONES + 500 + 1000 * [p[1] for p in PROJECTS].index(project.code),
        )  # fmt: skip
    # As if the tick had been running all along: the suspicious records are flagged (the
    # scan's one-minute settling is skipped, nothing else is writing now).
    flags_backfill(now=timezone.now() + SETTLE)
    return result


def _revisit_plan(project: Project, manager: User) -> None:
    """One open revisit plan per office, made through the service like a manager would:
    the prospects who first came in one summer week, invited to the weekend open day."""
    today = timezone.localdate()
    week = today - timedelta(days=120)
    # A small demo (tests) may have nobody owned from that week: no plan then.
    with contextlib.suppress(ValidationFailed):
        _plan(manager, project, today, week)


def _plan(manager: User, project: Project, today, week) -> None:
    plan_create(
        actor=manager, project=project, title="周末开放日邀约",
        purpose="邀请夏天来过的意向客户本周末回访，了解近况并约到访",
        talking_points="1. 问候近况\n2. 介绍开放日活动和新推房源\n3. 约定到访时间",
        starts_on=today, due_on=today + timedelta(days=6),
        criteria={"state": "prospect", "registered_from": week.isoformat(),
                  "registered_to": (week + timedelta(days=6)).isoformat()},
    )  # fmt: skip
