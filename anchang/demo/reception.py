"""A week of the walk-in rotation (排轮) in each demo project, through the real services:
consultants sign in in the morning, visitors arrive through the day (some of them returning
customers, to their owner or a stand-in), consultants go busy, free and away for lunch, the
desk skips one who does not come, and everyone signs out in the evening. Today runs up to the
moment the demo is built, so the desk opens on a live roster."""

from __future__ import annotations

import contextlib
import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from anchang.assignment.models import DutyEntry
from anchang.assignment.reception import selectors, services
from anchang.customers.models import Customer
from anchang.errors import DomainError
from anchang.org.models import Project, User
from anchang.org.selectors import project_rules

DAYS = 7
VISIT_MINUTES = 45  # a consultant is with a visitor this long before they are free again


def _at(project: Project, day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=project_rules(project).tz)


def build_reception(
    *, rng: random.Random, project: Project, desk: User, consultants: list[User],
    now: datetime | None = None,
) -> int:  # fmt: skip
    """The week's rotation; returns how many ledger entries were written."""
    now = now or timezone.now()
    tz = project_rules(project).tz
    today = now.astimezone(tz).date()
    known = list(
        Customer.objects.filter(project=project, owner__in=consultants).values_list(
            "phone", flat=True
        )[:400]
    )
    written = 0
    for back in range(DAYS - 1, -1, -1):
        day = today - timedelta(days=back)
        written += _day(rng, project, desk, consultants, known, day, now)
    return written


def _day(rng, project, desk, consultants, known, day, now) -> int:
    events: list[tuple[datetime, str, object]] = []
    present = [c for c in consultants if rng.random() > 0.12]  # a day off now and then
    for i, consultant in enumerate(present):
        events.append((_at(project, day, 8, 45) + timedelta(minutes=7 * i), "sign_in", consultant))
    if present:
        luncher = rng.choice(present)
        events.append((_at(project, day, 12, 5), "away", luncher))
        events.append((_at(project, day, 13, 0), "back", luncher))
    for _ in range(rng.randint(9, 16)):
        at = _at(project, day, 9, 30) + timedelta(minutes=rng.randint(0, 8 * 60))
        events.append((at, "visit", rng.random() < 0.3))
    events.append((_at(project, day, 15, 10), "skip", None))
    events.append((_at(project, day, 19, 0), "sign_out", None))
    events.sort(key=lambda e: e[0])
    busy_since: dict[int, datetime] = {}
    written = 0
    for at, kind, what in events:
        if at > now - timedelta(minutes=5):
            break
        _free_the_done(project, busy_since, at)
        with contextlib.suppress(DomainError):
            written += _event(rng, project, desk, known, busy_since, at, kind, what)
    return written


def _free_the_done(project, busy_since, at) -> None:
    for consultant_id, since in list(busy_since.items()):
        if at - since >= timedelta(minutes=VISIT_MINUTES):
            entry = DutyEntry.objects.filter(
                project=project, consultant_id=consultant_id, day=at.date()
            ).first()
            if entry is not None and entry.status == "busy":
                services.duty_set(actor=entry.consultant, entry=entry, status="on_duty", now=at)
            busy_since.pop(consultant_id)


def _event(rng, project, desk, known, busy_since, at, kind, what) -> int:
    if kind == "sign_in":
        services.duty_sign_in(actor=what, project=project, consultant=what, now=at)
    elif kind in ("away", "back"):
        entry = DutyEntry.objects.get(project=project, consultant=what, day=at.date())
        if kind == "back" or entry.status == "on_duty":
            status = "on_duty" if kind == "back" else "away"
            services.duty_set(actor=what, entry=entry, status=status, now=at)
    elif kind == "visit":
        phone = rng.choice(known) if what and known else ""
        visitor = rng.choice(["王先生", "李女士", "张先生一家", "刘女士 2 人", "陈先生", "赵女士"])
        taken = services.walk_in_take(
            actor=desk, project=project, phone=phone, visitor=visitor, now=at
        )
        busy_since[taken.entry.consultant_id] = at
        return 1 + len(taken.skipped)
    elif kind == "skip":
        # whoever's turn it is does not come when called
        up = selectors.desk(project, now=at).next_up
        if up is not None:
            services.turn_skip(actor=desk, project=project, consultant=up.consultant, now=at)
            return 1
    elif kind == "sign_out":
        for entry in DutyEntry.objects.filter(project=project, day=at.date()).exclude(status="off"):
            services.duty_set(actor=desk, entry=entry, status="off", now=at)
    return 0


QUEUE = 12  # online and hotline leads waiting for a manager in each project


def build_queue(*, rng: random.Random, project: Project, actor: User, phone_start: int) -> int:
    """Leads nobody owns yet (hotline, the website's form): the assignment queue (待分配)."""
    from anchang.customers.services import customer_create
    from anchang.demo.names import chinese_name, demo_mobile

    for i in range(QUEUE):
        customer_create(
            actor=actor, project=project, name=chinese_name(rng),
            phone=demo_mobile(phone_start + i), owner=None,
        )  # fmt: skip
    return QUEUE


def build_conflicts(
    *, rng: random.Random, project: Project, consultants: list[User], manager: User
) -> int:
    """Two conflicts (撞单): a colleague registers the phones of customers two others own, by
    a call this morning; the manager has decided the first as proposed, the second waits."""
    from anchang.customers.models import Customer, Medium
    from anchang.customers.services import conflict_resolve, registration_submit

    if len(consultants) < 3:
        return 0
    claimant = consultants[-1]
    medium = Medium.objects.filter(project=project).order_by("id").first()
    made = 0
    for owner in consultants[:2]:
        customer = (
            Customer.objects.filter(project=project, owner=owner, state="prospect")
            .order_by("id")
            .first()
        )
        if customer is None:
            continue
        result = registration_submit(
            actor=claimant, project=project, kind="call", name=customer.name, gender="m",
            phone=customer.phone, medium_id=medium.pk if medium else None,
            content=rng.choice([
                "客户来电说朋友推荐，想了解样板间开放时间和优惠",
                "来电咨询价格，说之前来过但记不清是哪位顾问接待的",
            ]),
            occurred_at=timezone.now() - timedelta(hours=3 + made),
        )  # fmt: skip
        conflict = getattr(result.registration, "conflict", None)
        if conflict is None:
            continue
        if made == 0:
            conflict.refresh_from_db()
            conflict_resolve(actor=manager, conflict=conflict, decision=conflict.proposed,
                             note="按规则建议处理")  # fmt: skip
        made += 1
    return made


CHANNEL_COMPANIES = ["链家地产", "我爱我家"]


def build_channels(
    *, rng: random.Random, project: Project, manager: User, agents: list[User],
    consultants: list[User], phone_start: int,
) -> int:  # fmt: skip
    """Two channel companies, each with its agents, and a fortnight of their reports: some
    waiting for the visit, some visited (credited), one of a phone the project already had
    (not valid), one whose window passed (expired by the tick)."""
    from anchang.assignment.channels import services as channels
    from anchang.customers.models import Customer
    from anchang.customers.services import customer_create
    from anchang.demo.names import chinese_name, demo_mobile

    now = timezone.now()
    companies = [
        channels.company_create(
            actor=manager, project=project, name=name, contact=chinese_name(rng)
        )
        for name in CHANNEL_COMPANIES
    ]
    made, index = 0, phone_start
    known = Customer.objects.filter(project=project, owner__isnull=False).order_by("id").first()
    for i, agent in enumerate(agents):
        channels.agent_add(actor=manager, company=companies[i % len(companies)], user=agent)
        for back in (12, 6, 3, 1, 0):
            at = now - timedelta(days=back, hours=rng.randint(1, 8))
            phone = demo_mobile(index)
            index += 1
            report = channels.report_submit(
                actor=agent, name=chinese_name(rng), phone=phone, now=at
            )
            made += 1
            if back in (6, 3) and report.status == "valid":  # they came to visit
                customer = customer_create(actor=consultants[made % len(consultants)],
                                           project=project, name=report.name, phone=phone,
                                           owner=consultants[made % len(consultants)])  # fmt: skip
                channels.visit_credit(customer=customer, at=at + timedelta(days=2))
        if known is not None and i == 0:
            channels.report_submit(actor=agent, name=known.name, phone=known.phone, now=now)
            made += 1
    channels.reports_expire(now)
    return made
