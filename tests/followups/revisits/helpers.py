"""followups/revisits: the shared helpers."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from anchang.followups.revisits.services import (
    plan_create,
)
from anchang.followups.services import followup_record

NOTE = "客户说周末带家人来看样板间，关心学区和首付比例，约了周六上午十点。"


REPORT = "共回访五位老客户，三位确认周末到访，两位暂无购房计划。"


def today():
    return timezone.localdate()


def make_plan(actor, project, **kw):
    kw.setdefault("title", "五一老客户回访")
    kw.setdefault("purpose", "邀约参加五一样板间开放日")
    kw.setdefault("talking_points", "1. 问候\n2. 介绍活动\n3. 约时间")
    kw.setdefault("starts_on", today())
    kw.setdefault("due_on", today() + timedelta(days=7))
    kw.setdefault("criteria", {"q": "王"})
    return plan_create(actor=actor, project=project, **kw)


def record(actor, customer, **kw):
    kw.setdefault("kind", "phone")
    kw.setdefault("content", NOTE)
    return followup_record(actor=actor, customer=customer, **kw)
