"""Six months of calls and visits for the demo: customers with realistic profiles and
completeness, registrations (some entered late), a few conflicts' worth of history.

Bulk inserts for speed (first `make run` must stay quick); every derived value comes from
the same functions the services use (search keys, completeness), so the data looks exactly
as if it had been entered through the product.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from anchang.customers import choices as c
from anchang.customers.models import Customer, CustomerPhone, Medium, Registration
from anchang.customers.services.profile import refresh_derived
from anchang.demo.names import chinese_name, demo_mobile
from anchang.followups.models import GradeChange
from anchang.followups.rules import suggest
from anchang.org.models import Project, User
from anchang.org.selectors import project_rules

DAYS = 180
TALK = {
    "real_estate": [
        "询问三居室总价与首付比例，关注学区和交房时间",
        "带家人看样板间，对南向户型满意，担心楼层噪音",
        "比较了周边两个楼盘，价格略高于预期，需要和家人商量",
        "咨询公积金贷款额度和物业费，计划月底前决定",
        "来电确认开盘时间，希望预留东边单元中高楼层",
    ],
    "dealership": [
        "试驾SUV，关注油耗和后排空间，考虑置换旧车",
        "询问新能源车补贴和充电桩安装，预算二十万左右",
        "比较了两款车型的配置，希望本周内给出最终报价",
        "来电咨询贷款方案和首付比例，周末带家人来店",
    ],
    "home_improvement": [
        "新房一百二十平，想做全屋整装，偏好简约风格",
        "量房后讨论厨房布局，关注橱柜材料和工期",
        "对设计方案基本满意，预算需要再压缩一些",
        "来电咨询局部改造卫生间，担心防水和施工噪音",
    ],
}
OPTIONAL = {
    "hometown": ["杭州", "宁波", "温州", "绍兴", "上海", "安徽", "江西"],
    "employer": ["阿里巴巴", "海康威视", "浙江大学", "市人民医院", "自营贸易公司", "国家电网"],
    "position": ["工程师", "部门经理", "教师", "医生", "企业主", "公务员"],
    "cars": ["大众帕萨特", "丰田凯美瑞", "特斯拉Model 3", "无"],
    "current_community": ["金色家园", "西溪花园", "滨江一号", "城西银泰公寓", "租住"],
    "hobbies": ["钓鱼", "羽毛球", "旅游", "摄影", "茶道", "跑步"],
    "social_circle": ["同事", "老乡会", "孩子同学家长", "商会"],
    "spouse_info": ["在银行工作", "全职太太", "教师", "公务员"],
    "children_info": ["一个女儿上小学", "一个儿子上初中", "两个孩子", "暂无"],
    "brands": ["华为", "苹果", "宜家", "无印良品"],
    "floor_pref": ["中高层", "低层带花园", "不要顶楼"],
    "building_pref": ["东边单元", "靠近中庭", "远离马路"],
}
CHOICE_FIELDS = {
    "age_band": c.AgeBand,
    "family_structure": c.FamilyStructure,
    "industry": c.Industry,
    "purpose": c.Purpose,
    "personal_income_band": c.IncomeBand,
    "family_income_band": c.IncomeBand,
    "housing_type": c.HousingType,
    "personality": c.Personality,
    "money_holder": c.FamilyRole,
    "decision_maker": c.FamilyRole,
    "payment_method": c.PaymentMethod,
    "eligibility": c.Eligibility,
    "purchase_horizon": c.PurchaseHorizon,
    "decor_style": c.DecorStyle,
}
NUMBERS = {
    "area_min": [60, 80, 90, 110, 130],
    "area_max": [90, 110, 140, 180],
    "current_area": [45, 70, 89, 120],
    "house_area": [65, 89, 105, 128, 143, 180],
}
# Budgets in 10k yuan, as each trade's customers name them.
BUDGETS = {"unit_type": [150, 250, 350, 500], "vehicle": [12, 18, 25, 35, 50],
           "renovation": [8, 15, 25, 40, 60]}  # fmt: skip
AREAS = ["西湖区", "拱墅区", "滨江区", "余杭区", "萧山区", "上城区"]
# What the free-text "which one exactly" looks like in each trade's registrations.
PRODUCT_DETAIL = {
    "unit_type": ["3号楼2单元1502", "7号楼东边套", "洋房G2户型", "高层B户型中高楼层"],
    "vehicle": ["途观L 330TSI 豪华版 白色", "ID.4 长续航 灰色", "帕萨特 380TSI 黑色",
                "威然 尊贵版"],
    "renovation": ["新中式全屋整装套餐", "厨卫翻新套餐", "轻奢软装搭配", "儿童房局部改造"],
}  # fmt: skip


def _value(rng: random.Random, field: str, rules) -> object:
    """One realistic answer to a profile field, from the project's own options."""
    offered = rules.intake.options.get(field)
    if offered:
        return rng.choice(offered)
    if field in CHOICE_FIELDS:
        return rng.choice(CHOICE_FIELDS[field].values)
    if field in NUMBERS:
        return rng.choice(NUMBERS[field])
    if field in ("budget_min", "budget_max"):
        budget = rng.choice(BUDGETS[rules.intake.product_term])
        return budget if field == "budget_max" else max(1, budget * 7 // 10)
    if field in ("trade_in", "measure_wanted", "is_brand_owner"):
        return rng.random() < 0.4
    if field == "address_area":
        return rng.choice(AREAS)
    if field == "birthday":
        return timezone.localdate() - timedelta(days=rng.randint(9000, 22000))
    if field in OPTIONAL:
        return rng.choice(OPTIONAL[field])
    return None


def _profile(rng: random.Random, rules, visits: int, state: str) -> dict:
    """Owners are known well, callers hardly at all: fill by how often we met them. Only
    the fields the project's trade asks (its registration fields and completeness weights),
    so a dealership customer has a model and a purchase horizon, never a floor area."""
    profile: dict = {}
    fill = {c.State.OWNER: 0.9, c.State.SUBSCRIBED: 0.8}.get(state, min(0.85, 0.1 + 0.15 * visits))
    if visits:
        for field in rules.intake.first_visit_fields:
            profile[field] = _value(rng, field, rules)
    for field in rules.completeness.weights:
        if field in profile or field in ("name", "gender", "phone", "medium", "care_dates"):
            continue
        if rng.random() < fill:
            value = _value(rng, field, rules)
            if value is not None:
                profile[field] = value
    if state == c.State.NO_INTENT:
        profile["loss_reason"] = rng.choice(c.LossReason.values)
    return {k: v for k, v in profile.items() if v is not None}


def _grade(rng: random.Random, spec, profile: dict) -> tuple[str, dict]:
    """A grade and checklist a consultant would have given: the checklist ticked from what
    is known, the grade the rules suggest (sometimes the consultant's own call)."""
    checks = {c_: rng.choice([True, True, None, False]) for c_ in spec.criteria}
    if rng.random() < 0.6:  # most prospects reject nothing that matters
        checks.update(dict.fromkeys(spec.deal_breakers, True))
    suggestion = suggest(spec, checks, horizon=profile.get("purchase_horizon"))
    grade = suggestion.grade or rng.choice(spec.scale[1:])
    if rng.random() < 0.15:
        grade = rng.choice(spec.scale)
    return grade, checks


@transaction.atomic
def build_intake(
    *, rng: random.Random, project: Project, consultants: list[User], per_consultant: int,
    phone_start: int,
) -> tuple[int, int]:  # fmt: skip
    """Customers and registrations for one project; returns (customers, registrations)."""
    rules = project_rules(project)
    spec = rules.grading.spec
    cadence = rules.grading.cadence_days
    media = list(Medium.objects.filter(project=project).order_by("id"))
    now = timezone.now()
    talk = TALK[project.kind]
    customers: list[Customer] = []
    plans: list[list[tuple]] = []
    index = phone_start
    for consultant in consultants:
        for _ in range(per_consultant):
            index += 1
            first = now - timedelta(days=rng.uniform(1, DAYS), hours=rng.uniform(0, 10))
            contacts = rng.choices([1, 2, 3, 4, 5, 6], weights=[15, 25, 25, 17, 11, 7])[0]
            kinds = [rng.choice(["call", "visit", "visit"]) for _ in range(contacts)]
            times = sorted(
                first + timedelta(days=rng.uniform(0, (now - first).days or 1)) if i else first
                for i in range(contacts)
            )
            visits = kinds.count("visit")
            state = rng.choices(
                [c.State.PROSPECT, c.State.NO_INTENT, c.State.SUBSCRIBED, c.State.OWNER],
                weights=[80, 8, 7, 5],
            )[0]
            profile = _profile(rng, rules, visits, state)
            customer = Customer(
                project=project, owner=consultant, created_by=consultant, state=state,
                name=chinese_name(rng), gender=rng.choice(c.Gender.values),
                phone="+86" + demo_mobile(index), medium=rng.choice(media),
                visit_count=visits, call_count=contacts - visits,
                first_contact_at=times[0], last_contact_at=times[-1], **profile,
            )  # fmt: skip
            if state in (c.State.PROSPECT, c.State.SUBSCRIBED):
                # Graded by the trade's own rules, and due by the cadence from the last
                # contact: some are overdue.
                customer.grade, customer.grade_checks = _grade(rng, spec, profile)
                # A realistic backlog: most are due within their cadence, some days overdue.
                step = cadence.get(customer.grade, 30)
                customer.next_follow_up_on = timezone.localdate() + timedelta(
                    days=rng.randint(-6, max(step, 1))
                )
            customer.last_reached_at = times[-1]
            refresh_derived(customer, rules)
            customer._history_user = consultant
            customer._history_date = times[0]
            customers.append(customer)
            plans.append(list(zip(kinds, times, strict=True)))
    bulk_create_with_history(customers, Customer, batch_size=500)
    created = {c.phone: c for c in Customer.objects.filter(project=project)}
    saved = [created[c.phone] for c in customers]
    for customer, original in zip(saved, customers, strict=True):
        customer.created_at = original.first_contact_at
    Customer.objects.bulk_update(saved, ["created_at"], batch_size=500)
    # Every grade on a card has its history row, as grade_set would have written it.
    GradeChange.objects.bulk_create(
        (GradeChange(customer=c_, actor_id=c_.owner_id, from_grade="", to_grade=c_.grade,
                     suggested=suggest(spec, c_.grade_checks or {},
                                       horizon=c_.purchase_horizon or None).grade or "",
                     reason="首次评级")
         for c_ in saved if c_.grade),
        batch_size=1000,
    )  # fmt: skip
    graded = list(GradeChange.objects.filter(customer__project=project).select_related(
        "customer").only("id", "customer__first_contact_at"))  # fmt: skip
    for change in graded:
        change.at = change.customer.first_contact_at
    GradeChange.objects.bulk_update(graded, ["at"], batch_size=1000)
    CustomerPhone.objects.bulk_create(
        (CustomerPhone(project=project, customer=c, phone=c.phone, slot=1) for c in saved),
        batch_size=1000,
    )
    registrations = []
    for customer, plan in zip(saved, plans, strict=True):
        for number, (kind, when) in enumerate(plan):
            late = rng.random() < 0.06
            registrations.append(
                Registration(
                    project=project,
                    customer=customer,
                    kind=kind,
                    consultant=customer.owner,
                    outcome="new_customer" if number == 0 else "return",
                    occurred_at=when,
                    is_late=late,
                    medium=customer.medium,
                    name_given=customer.name,
                    content=rng.choice(talk),
                    companions=rng.choice([0, 0, 1, 2]),
                    intended_product=(
                        rng.choice(PRODUCT_DETAIL[rules.intake.product_term])
                        if kind == "visit" and rng.random() < 0.5
                        else ""
                    ),
                )  # fmt: skip
            )
    Registration.objects.bulk_create(registrations, batch_size=1000)
    # entered_at is set on insert; give each its real entry time (late ones the next day).
    rows = list(
        Registration.objects.filter(project=project)
        .only("id", "occurred_at", "is_late")
        .order_by("id")
    )
    for row in rows:
        delay = timedelta(days=1, hours=2) if row.is_late else timedelta(minutes=rng.randint(2, 90))
        row.entered_at = min(row.occurred_at + delay, now)
    Registration.objects.bulk_update(rows, ["entered_at"], batch_size=1000)
    return len(saved), len(registrations)
