"""Consent per purpose (PIPL): recorded by staff from a form, a call or online, withdrawn by a
reply (回复TD); the history keeps every change with who and why."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.care import policies
from anchang.care.models import Consent, Purpose
from anchang.care.selectors import consent_of
from anchang.customers.models import Customer, CustomerPhone
from anchang.errors import PermissionDenied, ValidationFailed
from anchang.org.models import User
from anchang.validators import fold_spaces

NOTE_MAX = 200
# What staff record an answer from; an SMS reply and an import record themselves.
STAFF_SOURCES = (Consent.Source.FORM, Consent.Source.VERBAL, Consent.Source.ONLINE)


@transaction.atomic
def consent_set(
    *, actor: User | None, customer: Customer, purpose: str, granted: bool, source: str,
    note: str = "", now: datetime | None = None,
) -> Consent:  # fmt: skip
    """Record the customer's answer for one purpose; the same answer again changes nothing.
    `actor` None: the customer themselves (an SMS reply, the survey page)."""
    if actor is not None:
        policies.ensure_visible(actor, customer)
        if not policies.can_record_consent(actor, customer):
            raise PermissionDenied()
    if purpose not in Purpose.values:
        raise ValidationFailed(fields={"purpose": _("Choose service or marketing.")})
    if source not in (STAFF_SOURCES if actor is not None else Consent.Source.values):
        raise ValidationFailed(fields={"source": _("Say where the answer came from.")})
    note = fold_spaces(note)
    if len(note) > NOTE_MAX:
        raise ValidationFailed(fields={"note": _("At most %(n)d characters.") % {"n": NOTE_MAX}})
    now = now or timezone.now()
    consent = Consent.objects.select_for_update().filter(customer=customer, purpose=purpose).first()
    if consent is None:
        consent = Consent(customer=customer, purpose=purpose)
    elif consent.granted == granted:
        return consent
    consent.granted = granted
    consent.source = source
    consent.note = note
    consent.changed_by = actor
    consent.changed_at = now
    consent._change_reason = source  # simple_history's reason column
    consent.save()
    return consent


def opt_out_phone(*, phone: str, now: datetime) -> int:
    """A reply of TD from `phone`: every customer with that number stops getting marketing."""
    ids = CustomerPhone.objects.filter(phone=phone).values_list("customer_id", flat=True)
    changed = 0
    for customer in Customer.objects.filter(pk__in=list(ids)):
        before = consent_of(customer.pk, Purpose.MARKETING)
        consent_set(actor=None, customer=customer, purpose=Purpose.MARKETING, granted=False,
                    source=Consent.Source.SMS_REPLY, now=now)  # fmt: skip
        changed += before is not False
    return changed
