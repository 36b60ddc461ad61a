"""Six months of follow-ups for the demo, and what grows from them: review comments, loss
applications, the shared pool. About six follow-ups per customer (≈30,000 in all), most
reaching the customer, content long enough for the playbook's minimums; one consultant per
project copy-pastes a few records in a burst so the suspicious-records page has real work.

Bulk inserts, like the intake demo; the pool clocks are set as if the rules had been running
all along: customers held past the no-subscription window were reclaimed then (some were
claimed again), a handful are about to return, a few are due at the first tick."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from anchang.customers.models import Customer
from anchang.followups.models import FollowUp, LossApplication, Review
from anchang.followups.rules import is_contact
from anchang.org.models import Project, User
from anchang.org.selectors import project_rules
from anchang.pool.models import PoolEvent
from anchang.pool.rules import reclaim_due

OPENERS = {
    "real_estate": ["电话回访{name}", "{name}到访售楼处", "微信跟进{name}", "{name}参加暖场活动"],
    "dealership": [
        "电话回访{name}",
        "{name}到店试驾",
        "微信发送报价给{name}",
        "{name}参加车主沙龙",
    ],
    "home_improvement": [
        "电话回访{name}",
        "{name}到店看方案",
        "微信沟通{name}",
        "{name}参加家装节",
    ],
}
DETAILS = {
    "real_estate": [
        "重点询问了{n}号楼{f}层的总价和首付比例",
        "对{n}平米的三居室比较满意，关心学区划分",
        "和爱人一起比较了{n}栋和隔壁楼盘的得房率",
        "提到公积金贷款额度大概{n}万，希望多了解商贷利率",
        "担心交房时间，问了{n}月份的工程进度",
        "孩子明年上小学，{n}号地块的配套学校是关键",
        "看中了{f}楼的边套，嫌弃西晒想换东边户型",
        "父母想一起住，问能不能把{n}平米的四房改成两个套房",
        "现在租房每月{n}百元，想趁利率低赶紧上车",
        "问了车位价格和{n}个车位的配比，担心以后停车难",
        "对物业费每平{f}块有意见，拿绿城的物业做了对比",
        "卖掉老房子才能付首付，老房挂牌价{n}万还没成交",
    ],
    "dealership": [
        "试驾了{n}款SUV，关注油耗和后排空间",
        "旧车开了{f}年，想了解置换补贴",
        "预算在{n}万左右，比较了两款车型的配置",
        "询问{f}期免息贷款方案和首付比例",
        "关心新能源车的续航，小区有{n}个充电车位",
        "爱人觉得白色不耐脏，想等深灰色现车，大概要{f}周",
        "对比了隔壁品牌的同级车，对方多送了{f}次保养",
        "主要跑高速通勤，每天{n}公里，更在意座椅舒适",
        "问延保和{f}年的电池质保具体条款",
        "想要顶配的全景天窗，但超预算{n}千元",
    ],
    "home_improvement": [
        "新房{n}平米，想做全屋整装，偏好简约原木风",
        "量房后讨论厨房布局，{n}公分深的橱柜台面材质是重点",
        "对设计方案基本满意，预算要控制在{n}万以内",
        "卫生间防水和{n}天的工期是主要顾虑",
        "比较了{f}家装修公司的报价，看重售后保障",
        "老人房要做无障碍，问了扶手和{n}公分门宽",
        "想把阳台并进客厅，担心物业不批，需要看结构图",
        "对环保等级很在意，家里有个{f}个月大的小孩",
        "全屋定制柜子报价高了{n}千，想换板材",
        "问了智能家居套餐，想先在客厅和主卧试装，预算{n}百元",
    ],
}
FEEDBACK = [
    "客户反馈价格还有些犹豫，需要和家人商量",
    "态度积极，表示周末会带父母再来看看",
    "对比竞品后觉得我们性价比更高",
    "提出希望有更多优惠，已说明目前政策",
    "整体满意，决策人是配偶，需要再约一次",
    "暂时不急，计划年底前做决定",
    "客户说最近工作忙，下个月才有空",
    "丈夫很满意但妻子还在犹豫",
    "已经在走贷款预审，等银行回复",
    "朋友在隔壁项目买了，想听听他的意见",
    "明确说如果能打九八折今天就定",
    "对样板间印象很深，回去画了家具布置图",
    "担心后续降价，希望有保价承诺",
    "态度冷淡，只是顺便了解一下",
    "说要等年终奖发了再决定",
]
PLANS = [
    "下次约{d}号到现场详谈并准备计算单",
    "{d}号前把最新的价格表和方案发给客户",
    "约定{d}号电话确认家人意见",
    "邀请{d}号参加周末活动，安排专人接待",
    "{d}号带设计师一起上门沟通细节",
    "准备两套对比方案，{d}号发微信",
    "{d}号问一下贷款预审结果",
    "先不催，{d}号节日问候一下",
    "和经理申请特价，{d}号前答复客户",
    "约{d}号带父母再来看一次",
]
UNREACHED = ["未接听", "关机", "无人接听，稍后再打", "占线"]
SMS = "【{project}】尊敬的{name}，本周六下午两点有样板间开放活动，欢迎您和家人莅临，回复1预约。"
COPY_PASTE = "客户对产品比较满意，主要关注价格和优惠政策，表示会和家人商量后再做决定，下次继续跟进"
FILLER = "客户考虑中，再联系。客户考虑中，再联系。客户考虑中，再联系。"
REVIEW_COMMENTS = [
    "记录很清楚，下次把竞品价格也问一下",
    "客户意向不错，尽快约二次到访",
    "内容太简单，请补充客户的具体顾虑",
    "注意跟进节奏，别让客户等太久",
    "很好，把决策人也邀请过来",
    "这条和前面几条内容重复了，请如实记录",
]
KINDS = ["phone", "phone", "phone", "wechat", "visit", "sms", "event"]


def _content(rng: random.Random, kind: str, project: Project, name: str, now: datetime) -> str:
    if kind == "sms":
        return SMS.format(project=project.name, name=name)
    kind_key = project.kind
    opener = rng.choice(OPENERS[kind_key]).format(name=name)
    details = [
        d.format(n=rng.randint(2, 180), f=rng.randint(3, 30))
        for d in rng.sample(
            DETAILS[kind_key], 2 if kind in ("visit", "event") else rng.choice([1, 2])
        )
    ]
    parts = [opener, *details, rng.choice(FEEDBACK)]
    if kind in ("visit", "event") or rng.random() < 0.5:
        parts.append(rng.choice(PLANS).format(d=(now + timedelta(days=rng.randint(1, 20))).day))
    return "，".join(parts) + "。"


def _someone_due_for_everyone(customers: list[Customer], today) -> None:
    """Every consultant's day starts with someone to call: if nobody they own is due or
    overdue (a small demo's random draws), their first prospect is due today."""
    owners_due = {
        c.owner_id for c in customers
        if c.owner_id and c.state == "prospect" and c.next_follow_up_on
        and c.next_follow_up_on <= today
    }  # fmt: skip
    for customer in customers:
        if (
            customer.owner_id
            and customer.owner_id not in owners_due
            and (customer.state == "prospect")
        ):
            customer.next_follow_up_on = today
            owners_due.add(customer.owner_id)


@transaction.atomic
def build_followups(
    *, rng: random.Random, project: Project, consultants: list[User], manager: User
) -> int:
    """Follow-ups, reviews, loss applications and the pool for one project."""
    rules = project_rules(project)
    pool_conf = rules.pool
    signals = list(rules.grading.signals)
    now = timezone.now()
    customers = list(
        Customer.objects.filter(project=project).only(
            "id", "name", "owner_id", "state", "grade", "first_contact_at", "last_contact_at",
            "next_follow_up_on", "created_at",
        ).order_by("id")  # the seed decides everything only if the order is fixed
    )  # fmt: skip
    followups: list[FollowUp] = []
    changed: list[Customer] = []
    pool_events: list[PoolEvent] = []
    for customer in customers:
        start = customer.first_contact_at or customer.created_at
        active = customer.state in ("prospect", "subscribed", "owner")
        count = rng.randint(3, 9) if active else rng.randint(1, 3)
        span = max((now - start).total_seconds(), 3600)
        times = sorted(start + timedelta(seconds=rng.uniform(600, span)) for _ in range(count))
        # Most active customers were reached in the last weeks: the cadence is being kept.
        recent = active and rng.random() < 0.85 and now - start > timedelta(days=2)
        if recent:
            times.append(max(now - timedelta(days=rng.uniform(0.1, 25)), times[-1]))
        last_reached = customer.last_contact_at  # registered calls and visits are contacts
        for at in times:
            kind = rng.choice(KINDS)
            reached = (
                (recent and at == times[-1])
                or kind in ("visit", "event", "sms")
                or (rng.random() < 0.82)
            )
            content = (
                _content(rng, kind, project, customer.name, at)
                if reached else rng.choice(UNREACHED)
            )  # fmt: skip
            followups.append(
                FollowUp(
                    customer_id=customer.pk, project=project, author_id=customer.owner_id,
                    kind=kind, reached=reached, occurred_at=at, content=content,
                    grade=customer.grade if reached else "",
                    # The trade's own buying signals (a test drive, a measuring booked, …).
                    signals=sorted(rng.sample(signals, rng.choice([0, 0, 0, 1, 2])))
                    if reached else [],
                    impression=rng.choice(["", "", "热情", "谨慎", "比较理性"]),
                    bottleneck=rng.choice(["", "价格", "家人意见", "贷款", "交房时间"]),
                    next_on=customer.next_follow_up_on if at == times[-1] else None,
                )
            )  # fmt: skip
            if reached and (last_reached is None or at > last_reached):
                last_reached = at
        customer.last_reached_at = last_reached
        customer.owned_since = start
        if customer.state in ("prospect", "no_intent"):
            _pool_clock(rng, customer, consultants, pool_conf, now, pool_events, followups,
                        project)  # fmt: skip
        changed.append(customer)
    _copy_paste_burst(rng, project, consultants[0], customers, followups, now)
    # 最近联系 by the same rule as followup_record: a reached conversation is a contact.
    by_id = {c.pk: c for c in changed}
    for f in followups:
        customer = by_id.get(f.customer_id)
        if (
            customer
            and is_contact(f.kind, reached=f.reached)
            and (customer.last_contact_at is None or f.occurred_at > customer.last_contact_at)
        ):
            customer.last_contact_at = f.occurred_at
    for followup in followups:
        followup.is_backdated = False
    FollowUp.objects.bulk_create(followups, batch_size=2000)
    # entered_at is set on insert: give each its real entry time (minutes after the contact).
    rows = list(
        FollowUp.objects.filter(project=project)
        .only("id", "occurred_at", "entered_at")
        .order_by("id")
    )
    for row in rows:
        if row.entered_at - row.occurred_at > timedelta(minutes=5):
            row.entered_at = min(row.occurred_at + timedelta(minutes=rng.randint(3, 60)), now)
    FollowUp.objects.bulk_update(rows, ["entered_at"], batch_size=2000)
    _someone_due_for_everyone(changed, timezone.localdate())
    Customer.objects.bulk_update(
        changed, ["last_reached_at", "last_contact_at", "owned_since", "owner",
                  "pool_entered_at", "next_follow_up_on"], batch_size=1000,
    )  # fmt: skip
    PoolEvent.objects.bulk_create(pool_events, batch_size=1000)
    _reviews(rng, project, manager, now)
    _loss_applications(rng, project, customers, now)
    return len(followups)


def _pool_clock(rng, customer, consultants, conf, now, events, followups, project) -> None:
    """Set the pool clocks as if the rules had been running: a customer whose clock ran out
    was reclaimed then and is in the pool, or was claimed again since (and called at once);
    a few are due at the first tick, a few more about to return (warned on My day)."""
    roll = rng.random()
    if roll < 0.006:  # due at the first tick
        customer.owned_since = now - timedelta(days=conf.reclaim_after_days_without_subscription,
                                               hours=rng.uniform(1, 48))  # fmt: skip
        return
    if roll < 0.02:  # about to return by no subscription
        customer.owned_since = now - timedelta(days=conf.reclaim_after_days_without_subscription,
                                               hours=-rng.uniform(2, 44))  # fmt: skip
        customer.last_reached_at = now - timedelta(days=rng.uniform(1, 20))
        return
    due = reclaim_due(state=customer.state, owned_since=customer.owned_since,
                      last_reached_at=customer.last_reached_at, conf=conf)  # fmt: skip
    if due is None or due.at > now:
        return
    events.append(PoolEvent(customer_id=customer.pk, project=project, kind="reclaimed",
                            rule=due.rule, from_owner_id=customer.owner_id, at=due.at))  # fmt: skip
    if rng.random() < 0.25 or now - due.at < timedelta(days=2):
        customer.owner = None
        customer.owned_since = None
        customer.pool_entered_at = due.at
        customer.next_follow_up_on = None
        return
    # Claimed again (by someone else) in the last weeks, and called right away.
    new_owner = rng.choice([c for c in consultants if c.pk != customer.owner_id] or consultants)
    claimed_at = max(due.at + timedelta(hours=1), now - timedelta(days=rng.uniform(1, 20)))
    events.append(
        PoolEvent(
            customer_id=customer.pk,
            project=project,
            kind="claimed",
            rule="claim",
            actor=new_owner,
            to_owner=new_owner,
            at=claimed_at,
        )
    )
    followups.append(FollowUp(
        customer_id=customer.pk, project=project, author_id=new_owner.pk, kind="phone",
        reached=True, occurred_at=claimed_at + timedelta(minutes=20),
        content=_content(rng, "phone", project, customer.name, claimed_at),
        grade=customer.grade,
    ))  # fmt: skip
    customer.owner = new_owner
    customer.owned_since = claimed_at
    customer.last_reached_at = claimed_at + timedelta(minutes=20)
    customer.next_follow_up_on = (now + timedelta(days=rng.randint(0, 7))).date()


def _copy_paste_burst(rng, project, consultant, customers, followups, now) -> None:
    """Five records with one text on five customers, entered minutes apart, and two fillers."""
    mine = [c for c in customers if c.owner_id == consultant.pk][:7]
    base = now - timedelta(days=1, hours=3)
    for i, customer in enumerate(mine[:5]):
        followups.append(FollowUp(customer_id=customer.pk, project=project,
                                  author_id=consultant.pk, kind="phone", reached=True,
                                  occurred_at=base + timedelta(minutes=2 * i),
                                  content=COPY_PASTE, grade=customer.grade))  # fmt: skip
    for customer in mine[5:7]:
        followups.append(FollowUp(customer_id=customer.pk, project=project,
                                  author_id=consultant.pk, kind="phone", reached=True,
                                  occurred_at=now - timedelta(hours=rng.uniform(3, 30)),
                                  content=FILLER, grade=customer.grade))  # fmt: skip


def _reviews(rng, project, manager, now) -> None:
    recent = (
        FollowUp.objects.filter(
            project=project, occurred_at__gte=now - timedelta(days=14), reached=True
        )
        .only("id", "author_id", "occurred_at")
        .order_by("id")
    )
    reviews = []
    for followup in recent:
        if followup.author_id and rng.random() < 0.04:
            reviews.append(Review(followup_id=followup.pk, project=project, reviewer=manager,
                                  consultant_id=followup.author_id,
                                  comment=rng.choice(REVIEW_COMMENTS)))  # fmt: skip
    Review.objects.bulk_create(reviews)
    stamps = []
    for review in Review.objects.filter(project=project).select_related("followup").order_by("id"):
        review.created_at = min(review.followup.occurred_at + timedelta(hours=rng.uniform(2, 30)),
                                now)  # fmt: skip
        if now - review.created_at > timedelta(days=3):  # older comments have been read
            review.read_at = review.created_at + timedelta(hours=rng.uniform(1, 20))
        stamps.append(review)
    Review.objects.bulk_update(stamps, ["created_at", "read_at"])


def _loss_applications(rng, project, customers, now) -> None:
    owned = [c for c in customers if c.owner_id and c.state == "prospect"]
    applications = []
    for customer in rng.sample(owned, min(len(owned), 8)):
        reason = rng.choice(["bought_elsewhere", "budget", "location", "timing", "unreachable"])
        applications.append(LossApplication(
            customer_id=customer.pk, project=project, applicant_id=customer.owner_id,
            reason=reason, competitor="绿城桂语朝阳" if reason == "bought_elsewhere" else "",
            note="客户明确表示不再考虑" if reason != "unreachable" else "连续三周电话无人接听",
        ))  # fmt: skip
    LossApplication.objects.bulk_create(applications)
