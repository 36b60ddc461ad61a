"""What the providers push back: delivery reports update the messages they name; replies go
into the customer's timeline, and a reply of TD (回复TD) withdraws marketing consent."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from anchang.care import rules
from anchang.care.backends import Receipt
from anchang.care.models import Channel, Message, Purpose
from anchang.care.services.consent import opt_out_phone
from anchang.customers.models import Customer, CustomerPhone
from anchang.customers.phones import PHONE_INPUT_MAX, normalise_phone
from anchang.errors import ValidationFailed

S = Message.Status
REPLY_MAX = 500


@transaction.atomic
def receipts_record(backend: str, receipts: Iterable[Receipt], now: datetime | None = None
                    ) -> int:  # fmt: skip
    """Each report moves its message to delivered or failed, once: a report sent again, or
    one for a message already reported, changes nothing. Returns the messages changed."""
    now = now or timezone.now()
    changed = 0
    for receipt in receipts:
        match = Q()
        if receipt.provider_id:
            match |= Q(backend=backend, provider_id=receipt.provider_id)
        if receipt.key:
            match |= Q(key=receipt.key)
        if not match:
            continue
        # a report proves the message went, even if its worker died before it said so
        open_ = Message.objects.filter(match, status__in=[S.SENT, S.SENDING])
        if receipt.delivered:
            at = Value(receipt.at or now, output_field=DateTimeField())
            changed += open_.update(status=S.DELIVERED, delivered_at=at, worker="",
                                    lease_until=None, sent_at=Coalesce("sent_at", at))  # fmt: skip
        else:
            changed += open_.update(status=S.FAILED, error_code=receipt.code or "undelivered",
                                    worker="", lease_until=None)  # fmt: skip
    return changed


def reply_record(*, backend: str, phone: object, text: object, now: datetime | None = None
                 ) -> int:  # fmt: skip
    """A customer's SMS to us: kept in the timeline of every customer with that number (one
    row each; a report posted twice is kept once); TD alone withdraws marketing consent."""
    now = now or timezone.now()
    text = " ".join(str(text).split())[:REPLY_MAX]
    try:  # Aliyun posts 13800138000, Tencent the country code and the number apart
        phone = normalise_phone(str(phone)[:PHONE_INPUT_MAX])
    except ValidationFailed:
        return 0
    digest = hashlib.sha256(f"{phone}|{text}|{now:%Y%m%d%H%M}".encode()).hexdigest()[:24]
    ids = list(CustomerPhone.objects.filter(phone=phone).values_list("customer_id", flat=True))
    kept = 0
    for customer in Customer.objects.filter(pk__in=ids).select_related("project"):
        try:
            with transaction.atomic():
                Message.objects.create(
                    project=customer.project, customer=customer, channel=Channel.SMS,
                    purpose=Purpose.SERVICE, phone=phone, body=text, backend=backend,
                    key=f"in:{customer.pk}:{digest}", status=S.RECEIVED, not_before=now,
                    created_at=now, sent_at=now,
                )  # fmt: skip
            kept += 1
        except IntegrityError:  # the same reply posted again
            continue
    if rules.is_opt_out(text):
        opt_out_phone(phone=phone, now=now)
    return kept
