"""followups: the shared helpers."""

from __future__ import annotations

from anchang.followups.services import followup_record

LONG_PHONE_NOTE = "客户确认周六带爱人来看样板间，重点看三居室，担心首付比例，希望有优惠。"


def record(actor, customer, **kw):
    kw.setdefault("kind", "phone")
    kw.setdefault("content", LONG_PHONE_NOTE)
    return followup_record(actor=actor, customer=customer, **kw)
