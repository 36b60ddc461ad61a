"""关怀日期: family birthdays, anniversaries, school entry — the dates owner care follows."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.customers import policies
from anchang.customers.models import Customer, KeyDate
from anchang.customers.services.profile import refresh_derived
from anchang.errors import ValidationFailed
from anchang.org.models import User
from anchang.org.selectors import project_rules
from anchang.validators import fold_spaces

NOTE_MAX = 100
MAX_PER_CUSTOMER = 30


def _refresh(customer: Customer) -> None:
    current = Customer.objects.select_for_update().get(pk=customer.pk)
    refresh_derived(current, project_rules(current.project))
    Customer.objects.filter(pk=current.pk).update(
        completeness=current.completeness, updated_at=timezone.now()
    )


@transaction.atomic
def key_date_add(
    *, actor: User, customer: Customer, kind: str, when: date | None, note: str = ""
) -> KeyDate:
    policies.ensure_can_edit_customer(actor=actor, customer=customer)
    errors = {}
    if kind not in KeyDate.Kind.values:
        errors["kind"] = _("Choose what the date is.")
    if when is None:
        errors["date"] = _("Enter the date.")
    note = fold_spaces(note)
    if len(note) > NOTE_MAX:
        errors["note"] = _("At most %(n)d characters.") % {"n": NOTE_MAX}
    if customer.key_dates.count() >= MAX_PER_CUSTOMER:
        errors["date"] = _("This card already has %(n)d dates.") % {"n": MAX_PER_CUSTOMER}
    if errors:
        raise ValidationFailed(fields=errors)
    key_date = KeyDate.objects.create(customer=customer, kind=kind, date=when, note=note)
    _refresh(customer)
    return key_date


@transaction.atomic
def key_date_remove(*, actor: User, key_date: KeyDate) -> None:
    policies.ensure_can_edit_customer(actor=actor, customer=key_date.customer)
    customer = key_date.customer
    key_date.delete()
    _refresh(customer)
