"""The customer's profile as the intake rules read it: which fields it has, their values, the
stage the customer is at and a field's label. Reads of a record in hand, no writes, so the
selectors (the card's completeness) and the services (required fields) share them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.customers import rules as intake_rules
from anchang.customers.models import Customer, KeyDate
from anchang.prepared import prepared

# Profile fields an owner or manager edits on the card (phones and state have their rules).
PROFILE_FIELDS = [
    f for f in intake_rules.ALL_PROFILE_FIELDS if f not in {"phone", "care_dates", "medium", "name"}
] + ["notes", "loss_reason"]


@prepared
def _a_key_date(*, customer: int) -> QuerySet:
    return KeyDate.objects.filter(customer_id=customer).values_list("pk", flat=True)[:1]


def profile_values(customer: Customer, *, has_care_dates: bool | None = None) -> dict[str, Any]:
    """The profile as the completeness and required-field rules see it."""
    values = {f: getattr(customer, f) for f in intake_rules.ALL_PROFILE_FIELDS if f != "care_dates"}
    values["medium"] = customer.medium_id
    values["loss_reason"] = customer.loss_reason
    if has_care_dates is None:
        has_care_dates = customer.pk is not None and bool(_a_key_date(customer=customer.pk))
    values["care_dates"] = True if has_care_dates else None  # False would count as an answer
    return values


def stage_of(customer: Customer, now: datetime | None = None) -> str:
    return intake_rules.stage_of(
        state=customer.state,
        visits=customer.visit_count,
        registered_at=customer.created_at or timezone.now(),
        now=now or timezone.now(),
    )


def field_label(field: str) -> str:
    if field == "care_dates":
        return str(_("Key care dates"))
    try:
        return str(Customer._meta.get_field(field).verbose_name)
    except Exception:  # noqa: BLE001 - a rule key without a model field
        return field
