"""Owner care in each demo project: the trade's SMS templates, customers' consent as their
registration forms recorded it, and a month of messages sent by the consultants (through the
outbox backend of the embedded mode: kept, nothing leaves), with one customer who replied TD."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from anchang.care.models import MessageTemplate
from anchang.care.services import consent_set, message_queue, messages_send_due, reply_record
from anchang.customers.models import Customer
from anchang.errors import DomainError
from anchang.org.models import Project, User
from anchang.org.selectors import project_rules

# (name, purpose, text) of each trade's templates, as an account would have had them approved
TEMPLATES = {
    "real_estate": [
        ("签约提醒", "service",
         "{name}您好，{project}提醒您于{date}到售楼处签约"
         "，请携带身份证、户口本及首付款凭证。置业顾问{consultant}"),
        ("交房通知", "service",
         "{name}您好，您购买的{unit}将于{date}开始交房，"
         "请按通知携带资料办理。{project}"),
        ("开放日邀请", "promotion",
         "{name}您好，{project}本周六举办业主开放日，现场有样"
         "板间讲解和抽奖，欢迎光临。顾问{consultant} 回TD退订"),
    ],
    "dealership": [
        ("交车提醒", "service",
         "{name}您好，您的爱车已到店，请于{date}来{project}"
         "办理交车，顾问{consultant}为您服务。"),
        ("首保提醒", "service",
         "{name}您好，您的爱车即将到首次保养里程，请预约"
         "到{project}保养。顾问{consultant}"),
        ("试驾活动", "promotion",
         "{name}您好，{project}本周末新车试驾会"
         "，到店即有礼。顾问{consultant} 回TD退订"),
    ],
    "home_improvement": [
        ("量房提醒", "service",
         "{name}您好，设计师将于{date}上门量房，请提"
         "前安排。{project} 顾问{consultant}"),
        ("开工通知", "service",
         "{name}您好，您家的装修将于{date}"
         "开工，项目经理会提前联系您。{project}"),
        ("家装节邀请", "promotion",
         "{name}您好，{project}家装节本周六开幕"
         "，签约享优惠。顾问{consultant} 回TD退订"),
    ],
}  # fmt: skip
AGREED_SHARE = 0.6  # of customers who signed the marketing consent on their form
MESSAGES = 12  # per consultant, over the last month


def build_care(*, rng: random.Random, project: Project, consultants: list[User],
               now: datetime | None = None) -> int:  # fmt: skip
    """Returns how many messages were sent."""
    now = now or timezone.now()
    tz = project_rules(project).tz
    templates = [
        MessageTemplate.objects.create(
            project=project,
            name=name,
            purpose=purpose,
            body=body,
            created_at=now,
            provider_codes={"aliyun": f"SMS_{900000 + i}", "tencent": str(1900000 + i)},
        )  # fmt: skip
        for i, (name, purpose, body) in enumerate(TEMPLATES.get(project.kind, []))
    ]
    sent = 0
    for consultant in consultants:
        customers = list(
            Customer.objects.filter(project=project, owner=consultant).order_by("id")[:40]
        )
        for customer in customers:
            if rng.random() < AGREED_SHARE:
                consent_set(actor=consultant, customer=customer, purpose="promotion",
                            granted=True, source=rng.choice(["form", "form", "verbal"]),
                            now=customer.created_at)  # fmt: skip
        for _ in range(MESSAGES if customers and templates else 0):
            customer = rng.choice(customers)
            template = rng.choice(templates)
            day = (now - timedelta(days=rng.randint(1, 30))).astimezone(tz).date()
            at = datetime.combine(day, time(rng.randint(9, 19), rng.randint(0, 59)), tzinfo=tz)
            due = day + timedelta(days=5)
            params = {"date": f"{due.month}月{due.day}日", "unit": "3栋1单元1202"}
            wanted = {n for n in ("date", "unit") if "{" + n + "}" in template.body}
            try:
                message_queue(
                    actor=consultant,
                    customer=customer,
                    template=template,
                    now=at,
                    params={k: v for k, v in params.items() if k in wanted},
                )
            except DomainError:  # no consent, the weekly cap: as it would be refused
                continue
            messages_send_due(at)  # as the tick would have, then
            sent += 1
    # one customer asked to stop marketing
    agreed = Customer.objects.filter(project=project, consents__granted=True).order_by("id")
    first = agreed.first()
    if first is not None:
        reply_record(backend="outbox", phone=first.phone, text="TD", now=now)
    return sent
