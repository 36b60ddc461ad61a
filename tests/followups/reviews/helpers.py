"""followups/reviews: the shared helpers."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from anchang.followups.models import FollowUp
from anchang.followups.services import followup_record

NOTE = "客户确认周六带爱人来看样板间，重点看三居室，担心首付比例，希望有优惠。"


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def record(actor, customer, content=NOTE, **kw):
    return followup_record(actor=actor, customer=customer, kind="phone", content=content, **kw)


def entered(followup, ago: timedelta) -> FollowUp:
    """Place a follow-up's entry time in the past (the queue is about entry times)."""
    at = timezone.now() - ago
    FollowUp.objects.filter(pk=followup.pk).update(entered_at=at, occurred_at=at)
    followup.refresh_from_db()
    return followup


def _htmx(client, url, data):
    return client.post(url, data, HTTP_HX_REQUEST="true")
