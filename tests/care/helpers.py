"""A care office: a project's staff, a customer who agreed to marketing, one template of
each purpose; and the fake providers (scripts/fake_providers.py) wired into the settings."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from anchang.care import backends
from anchang.care.models import MessageTemplate
from anchang.care.services import consent_set
from anchang.customers.models import Customer
from anchang.org.models import Project, User
from anchang.org.services import membership_grant
from tests.conftest import World, make_user

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import fake_providers  # noqa: E402 - a script beside the tests


@dataclass
class Care:
    project: Project
    consultant: User
    colleague: User
    manager: User
    specialist: User  # 客户关系专员
    customer: Customer
    service: MessageTemplate
    marketing: MessageTemplate


def care_office(world: World, code: str = "p1", *, agreed: bool = True) -> Care:
    project = getattr(world, code)
    staff = {}
    for role in ("manager", "care"):
        user = make_user(f"{code}-{role}", f"{project.name}{role}")
        membership_grant(user=user, role=role, company=world.company, project=project)
        staff[role] = user
    consultant, colleague = world.consultants[code]
    customer = world.customer(project, consultant, "王芳")
    if agreed:
        consent_set(actor=consultant, customer=customer, purpose="promotion", granted=True,
                    source="form")  # fmt: skip
    now = timezone.now()
    service = MessageTemplate.objects.create(
        project=project, name="签约提醒", purpose="service",
        body="{name}您好，{project}提醒您{date}签约，请带身份证。顾问{consultant}",
        provider_codes={"aliyun": "SMS_100001", "tencent": "100001"}, created_at=now,
    )  # fmt: skip
    marketing = MessageTemplate.objects.create(
        project=project, name="开放日邀请", purpose="promotion",
        body="{name}您好，{project}本周六举办业主开放日，欢迎光临。顾问{consultant} 回TD退订",
        provider_codes={"aliyun": "SMS_100002", "tencent": "100002"}, created_at=now,
    )  # fmt: skip
    return Care(project, consultant, colleague, staff["manager"], staff["care"], customer,
                service, marketing)  # fmt: skip


def use_fakes(settings, fakes: fake_providers.Fakes, sms: str = "aliyun") -> None:
    """Point the backends at the running fakes (and rebuild them)."""
    for name, value in fakes.settings().items():
        setattr(settings, name, value)
    settings.SMS_BACKEND = sms
    settings.WECOM_BACKEND = "wecom"
    backends.reset()
