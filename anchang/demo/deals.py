"""The demo's sales (成交), through the deals services: the sales centre's 3 buildings × 18
floors × 4 units, the dealership's stock of ~120 vehicles, the store's service packages, and
a deal for every customer the intake made subscribed or an owner, walked to a stage that
fits with its payment plan and receipts (some overdue) and its milestone tasks."""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from anchang.customers.models import Customer
from anchang.deals import rules, services
from anchang.deals.models import Deal, Dispatch, MilestoneTask, Unit
from anchang.deals.services import contract_forms, dispatch
from anchang.errors import DomainError
from anchang.org.models import Project, User

# The catalogue of each trade, as the office's own words would put it.
BUILDINGS = [("1", 21500), ("2", 22800), ("3", 24200)]  # building, yuan per m²
LAYOUTS = [("3室2厅2卫", "118.50"), ("2室2厅1卫", "89.20"), ("3室2厅2卫", "126.80"),
           ("4室2厅2卫", "143.60")]  # fmt: skip
VEHICLES = [  # model, trim, price (yuan)
    ("星驰 S5", "舒适版", 159_800), ("星驰 S5", "豪华版", 179_800),
    ("星驰 X7", "四驱旗舰版", 269_800), ("星驰 X7", "两驱精英版", 229_800),
    ("星驰 E3", "长续航版", 139_800), ("星驰 E3", "标准续航版", 119_800),
]  # fmt: skip
COLOURS = ["珍珠白", "曜石黑", "星河蓝", "烈焰红", "钛银灰"]
PACKAGES = [  # code, name, price (yuan)
    ("PKG-A", "全屋整装 · 简约套餐", 128_000), ("PKG-B", "全屋整装 · 轻奢套餐", 198_000),
    ("PKG-C", "全屋整装 · 尊享套餐", 288_000), ("PKG-K", "厨房焕新", 36_000),
    ("PKG-W", "卫浴改造", 28_000), ("PKG-S", "软装搭配", 45_000),
    ("PKG-O", "旧房翻新", 88_000), ("PKG-D", "局部设计（仅设计）", 12_000),
]  # fmt: skip
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O, Q
BANKS = ["中国建设银行", "中国工商银行", "招商银行", "中国银行", "中国农业银行"]
TOTAL_CAP = 320  # about 300 deals in the three offices


@dataclass
class Staff:
    manager: User
    clerk: User


def build_catalogue(*, rng: random.Random, project: Project, staff: Staff) -> int:
    """The trade's catalogue: buildings, a vehicle stock, or packages. Returns the units."""
    sells = rules.stage_table(project.kind).sells
    if sells == "flats":
        for name, per_m2 in BUILDINGS:
            layout, area = LAYOUTS[int(name) % len(LAYOUTS)]
            building = services.building_create(
                actor=staff.manager, project=project, name=name, floors=18, units_per_floor=4,
                price_per_m2=str(per_m2), gross_area=area, layout=layout,
            )  # fmt: skip
            # Higher floors cost more: the sheet a developer's pricing team would load.
            Unit.objects.bulk_update(
                _priced(building), ["standard_price", "floor_price", "orientation"]
            )
        return Unit.objects.filter(project=project).count()
    if sells == "vehicles":
        for n in range(120):
            model, trim, price = VEHICLES[n % len(VEHICLES)]
            services.unit_create(
                actor=staff.manager, project=project, kind="vehicle", code=f"XC{n + 1:04d}",
                standard_price=str(price), floor_price=str(int(price * 0.93)), model_name=model,
                trim=trim, colour=rng.choice(COLOURS),
                vin="LXC" + "".join(rng.choice(VIN_CHARS) for _ in range(14)),
            )  # fmt: skip
        return 120
    _designers(rng, project, staff)
    for code, name, price in PACKAGES:
        services.unit_create(
            actor=staff.manager, project=project, kind="package", code=code, name=name,
            standard_price=str(price), floor_price=str(int(price * 0.85)),
        )  # fmt: skip
    return len(PACKAGES)


def _designers(rng: random.Random, project: Project, staff: Staff) -> None:
    """The store's designers as dispatch reads them: the first senior, styles spread."""
    styles = ["modern", "chinese", "light_luxury", "nordic", "japanese", "european"]
    for i, uid in enumerate(sorted(dispatch.designer_ids(project))):
        services.designer_profile_set(
            actor=staff.manager, project=project, user=User.objects.get(pk=uid),
            priority=10 * (i + 1), styles=rng.sample(styles, 2), senior=i == 0,
        )  # fmt: skip


def _priced(building) -> list[Unit]:
    """Higher floors cost more (¥120 a m² a floor), floor price 96 %, south-facing."""
    units = list(Unit.objects.filter(building=building))
    area = units[0].gross_area if units else 0
    for unit in units:
        unit.standard_price = unit.standard_price + unit.floor * 120_00 * int(area)
        unit.floor_price = int(unit.standard_price * 0.96)
        unit.orientation = "南北" if unit.position in (1, 4) else "南"
    return units


def build_deals(
    *, rng: random.Random, project: Project, staff: Staff, budget: int, showcase: User
) -> int:
    """A deal for each subscribed or owner customer of the intake (up to `budget`), walked
    to a stage that fits; payments and receipts with it. `showcase` (the consultant whose
    log-in the demo prints) has two subscriptions of the last day, so My day shows their
    milestone tasks. Returns the deals made."""
    table = rules.stage_table(project.kind)
    now = timezone.now()
    customers = list(
        Customer.objects.filter(project=project, state__in=("subscribed", "owner"))
        .select_related("owner", "project")
        .order_by("id")[:budget]
    )
    sellable = _sellable(project, table)
    made, fresh = 0, 2
    for customer in customers:
        if table.has_units and not sellable:
            break
        unit = sellable.pop(rng.randrange(len(sellable))) if table.has_units else None
        package = rng.choice(sellable) if not table.has_units else None
        priced = unit or package
        owner = customer.owner
        if customer.state == "owner":
            targets = table.stages[table.index(table.owner_from) :]
        else:
            targets = table.stages[: table.index(table.owner_from)]
        target = rng.choice(targets)
        is_fresh = bool(fresh) and customer.owner_id == showcase.pk
        if is_fresh and customer.state == "subscribed":
            fresh -= 1
            target = table.stages[0]
        else:
            is_fresh = False
        # Subscribed long enough ago for its stages, each 10–30 days apart, after the first
        # contact: the tasks and payments then fall on realistic days.
        steps = table.index(target)
        ago = timedelta(days=sum(rng.uniform(10, 30) for _ in range(steps)) + rng.uniform(1, 40))
        first = customer.first_contact_at or now - timedelta(days=180)
        start = max(now - ago, first + timedelta(hours=2))
        start = min(start, now - timedelta(hours=6))
        if is_fresh:
            start = now - timedelta(hours=rng.uniform(6, 30))
        # Most deals sell at the standard price or within the consultant's limit; a few ask
        # for a manager's discount.
        discount = rng.choice([0, 0, 0, 0.005, 0.01, 0.02]) if priced else 0
        price = int((priced.standard_price if priced else 100_000_00) * (1 - discount) / 100) * 100
        method = _method(rng, project, table)
        loan = (
            int(price * 0.6) // 100 * 100 if method in ("mortgage", "provident", "combined") else 0
        )
        first_payment = _deposit(project, price)
        deal = services.deal_subscribe(
            actor=owner, customer=customer, unit=unit, package=package, now=start,
            data=services.DealInput(
                deal_price=rules.yuan_plain(price), payment_method=method,
                bank=rng.choice(BANKS) if loan else "",
                loan_amount=rules.yuan_plain(loan) if loan else "",
                loan_years=rng.choice([20, 25, 30]) if loan else None,
                deposit=rules.yuan_plain(first_payment),
                due_on=None,
            ),
        )  # fmt: skip
        _dispatch(deal, staff, start)
        if not deal.discount_approved:
            approval = deal.approvals.get(kind="discount")
            services.approval_decide(actor=staff.manager, approval=approval, approve=True,
                                     now=start + timedelta(hours=2))  # fmt: skip
            deal.refresh_from_db()
        services.receipt_record(
            actor=staff.clerk, deal=deal, amount=rules.yuan_plain(first_payment), method="pos",
            voucher=f"{project.code.upper()}-{deal.pk:05d}-1",
            received_on=timezone.localtime(start).date(), now=start,
        )  # fmt: skip
        at = start
        for stage in table.stages[1 : table.index(target) + 1]:
            if stage == "loan" and method not in ("mortgage", "provident", "combined"):
                continue
            gap = (now - at) / (table.index(target) - table.stages.index(stage) + 2)
            at = min(at + min(gap, timedelta(days=rng.uniform(10, 30))), now - timedelta(hours=1))
            deal = services.deal_move(
                actor=_mover(stage, owner, staff), deal=deal, to=stage, now=at
            )
        _plan_and_collect(rng, deal, staff, table, start, now)
        made += 1
    _tidy_tasks(project, now)
    return made


def _dispatch(deal: Deal, staff: Staff, at: datetime) -> None:
    """The manager confirms the rules' proposal when the designer is free (else the order
    waits in the dispatch queue, as in a busy store)."""
    proposal = Dispatch.objects.filter(deal=deal, status="proposed").first()
    if proposal is None or proposal.proposed_id is None:
        return
    with contextlib.suppress(DomainError):
        services.dispatch_decide(actor=staff.manager, dispatch=proposal, now=at)


def _sellable(project: Project, table: rules.StageTable) -> list[Unit]:
    if table.has_units:
        return list(Unit.objects.filter(project=project, status="available").order_by("id"))
    return list(Unit.objects.filter(project=project, kind="package").order_by("id"))


def _method(rng: random.Random, project: Project, table: rules.StageTable) -> str:
    if table.sells == "flats":
        return rng.choices(["mortgage", "provident", "combined", "full"], [55, 15, 15, 15])[0]
    if table.sells == "vehicles":
        return rng.choices(["full", "instalments"], [60, 40])[0]
    return rng.choices(["full", "instalments"], [70, 30])[0]


def _deposit(project: Project, price: int) -> int:
    sells = rules.stage_table(project.kind).sells
    fixed = {"flats": 50_000_00, "vehicles": 5_000_00, "packages": 2_000_00}[sells]
    return min(fixed, price)


def _mover(stage: str, owner: User, staff: Staff) -> User:
    # the clerk files contracts and follows the loan; the consultant moves the rest
    return staff.clerk if stage in ("filing", "loan") else owner


def _plan_and_collect(rng, deal: Deal, staff: Staff, table, start: datetime, now: datetime):
    """A payment plan from the deal's price, and the receipts a deal at its stage would have:
    about one in eight behind on a payment due."""
    price, first = deal.deal_price, deal.planned_total
    rest = price - first
    reached = {s: table.reached(deal.stage, s) for s in table.stages}
    lines: list[tuple[str, date, int, bool]] = [
        ("deposit", timezone.localtime(start).date(), first, True)
    ]
    if table.sells == "flats":
        loan = deal.loan_amount
        down = rest - loan
        signing_day = timezone.localtime(start).date() + timedelta(days=20)
        lines.append(("down_payment", signing_day, down, reached["signing"]))
        if loan:
            lines.append(("loan", signing_day + timedelta(days=60), loan, reached["loan"]))
    elif table.sells == "vehicles":
        lines.append(
            (
                "balance",
                timezone.localtime(start).date() + timedelta(days=14),
                rest,
                reached["delivery"],
            )
        )
    else:
        design = min(5_000_00, rest)
        left = rest - design
        lines += [
            (
                "design_fee",
                timezone.localtime(start).date() + timedelta(days=10),
                design,
                reached["design_fee"],
            ),
            (
                "instalment",
                timezone.localtime(start).date() + timedelta(days=40),
                left // 2,
                reached["contract"],
            ),
            (
                "instalment",
                timezone.localtime(start).date() + timedelta(days=70),
                left - left // 2,
                reached["started"],
            ),
        ]
    lines = [line for line in lines if line[2] > 0]
    behind = rng.random() < 0.12
    today = timezone.localdate()
    # What is not paid yet falls due ahead, but for the deals behind on a payment.
    lines = [
        (kind, due if paid or behind else max(due, today + timedelta(days=rng.randint(3, 45))),
         amount, paid)
        for kind, due, amount, paid in lines
    ]  # fmt: skip
    services.plan_set(
        actor=staff.clerk, deal=deal,
        lines=[services.PlanLineInput(kind=k, due_on=d, amount=rules.yuan_plain(a))
               for k, d, a, _paid in lines],
    )  # fmt: skip
    for n, (kind, due, amount, paid) in enumerate(lines[1:], start=2):
        if not paid or (behind and n == len(lines)):
            continue
        day = min(due, now.date())
        services.receipt_record(
            actor=staff.clerk, deal=deal, amount=rules.yuan_plain(amount),
            method="loan" if kind == "loan" else rng.choice(["transfer", "pos", "card"]),
            voucher=f"{deal.project.code.upper()}-{deal.pk:05d}-{n}",
            received_on=day, now=now,
        )  # fmt: skip


def build_contract_forms(*, rng: random.Random, project: Project, staff: Staff) -> None:
    """合同文本: a stock of numbered forms; some out with consultants (two for too long),
    some returned signed with their deals or void, some passed to finance."""
    now = timezone.now()
    prefix = f"{project.code[:2].upper()}-"
    services.forms_receive(actor=staff.clerk, project=project, prefix=prefix, first=1,
                           count=60, now=now - timedelta(days=40))  # fmt: skip
    holders = list(contract_forms.form_holders(project).filter(pk__in=Deal.objects.filter(
        project=project).values("consultant_id")))[:4]  # fmt: skip
    signed = list(Deal.objects.filter(project=project, is_active=True).exclude(
        stage=rules.stage_table(project.kind).stages[0]).order_by("id")[:8])  # fmt: skip
    number = 1
    for i, deal in enumerate(signed):
        code = f"{prefix}{number:06d}"
        services.forms_move(actor=staff.clerk, project=project, kind="issued", numbers=[code],
                            holder=deal.consultant, now=now - timedelta(days=30))  # fmt: skip
        services.forms_move(actor=staff.clerk, project=project, kind="signed", numbers=[code],
                            deal=deal, now=now - timedelta(days=25))  # fmt: skip
        if i < 4:
            services.forms_move(actor=staff.clerk, project=project, kind="to_finance",
                                numbers=[code], now=now - timedelta(days=20))  # fmt: skip
        number += 1
    for i, holder in enumerate(holders):
        codes = [f"{prefix}{n:06d}" for n in range(number, number + 2)]
        days = 20 if i == 0 else rng.randint(1, 10)  # the first holder's are out too long
        services.forms_move(actor=staff.clerk, project=project, kind="issued", numbers=codes,
                            holder=holder, now=now - timedelta(days=days))  # fmt: skip
        number += 2
    services.forms_move(actor=staff.clerk, project=project, kind="void",
                        numbers=[f"{prefix}{number:06d}"], note="填写错误")  # fmt: skip
    services.forms_request(actor=staff.clerk, project=project, month=timezone.localdate())


def _tidy_tasks(project: Project, now: datetime) -> None:
    """As if the consultants had been calling all along: tasks due more than three days ago
    were done on their day (the tick first creates what has come within the horizon)."""
    services.tasks_create_due(now)
    three_days_ago = timezone.localdate() - timedelta(days=3)
    for task in MilestoneTask.objects.filter(
        project=project, done_at__isnull=True, dropped=False, due_on__lt=three_days_ago
    ):
        task.done_at = timezone.make_aware(datetime.combine(task.due_on, datetime.min.time()))
        task.save(update_fields=["done_at"])
