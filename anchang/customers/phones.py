"""Phone numbers: parse what people type, store E.164, show masked; and the one presenter
that decides, for page and API alike, whether a reader sees a number in full."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import phonenumbers
from django.utils.translation import gettext_lazy as _

from anchang.customers.errors import Code
from anchang.customers.models import Customer
from anchang.customers.policies import can_see_full_phone
from anchang.errors import ValidationFailed
from anchang.org.models import User

# What a person may type for one number, spaces, dashes and a +86 included: the limit of
# every phone input, on the page and in the API (the stored E.164 form is shorter).
PHONE_INPUT_MAX = 40


def normalise_phone(raw: str, *, region: str = "CN") -> str:
    """'138 0013 8000', '+86-138…', '0086138…', full-width digits → '+8613800138000'."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed(
            fields={"phone": _("Not a phone number.")}, code=Code.INVALID_PHONE
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationFailed(
            fields={"phone": _("Not a valid phone number.")}, code=Code.INVALID_PHONE
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_digits(e164: str) -> str:
    return e164[3:] if e164.startswith("+86") else e164.lstrip("+")


def format_phone(e164: str) -> str:
    """How people write it: '134 9000 0005' for mobiles, national format otherwise."""
    digits = national_digits(e164)
    if e164.startswith("+86") and len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def mask_phone(e164: str) -> str:
    """Show the first 3 and last 4 digits: 138****8000. Built from slices, so the hidden
    digits can never leak (a replace()-based masker leaks when the tail repeats the head)."""
    digits = national_digits(e164)
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mark_phones_shown(*, actor: User, customers: Iterable[Customer]) -> None:
    """Decide once per customer whether `actor` sees its phones in full (the matrix's
    `fields.phone_full`), as `customer.phone_full`: the templates' `phone()` tag makes a
    full number a tel: link and masks the others, the serializers go through `phone_shown`."""
    for customer in customers:
        customer.phone_full = can_see_full_phone(actor=actor, customer=customer)


def phone_shown(e164: str, *, full: bool) -> str:
    """A stored number as the API gives it: E.164 when the reader sees it in full, else
    masked; "" for no number."""
    if not e164:
        return ""
    return e164 if full else mask_phone(e164)


def customer_phone_shown(*, actor: User, customer: Customer, e164: str) -> str:
    """One of `customer`'s numbers (phone or phone2) as `actor` sees it, decided once per
    customer by `mark_phones_shown`."""
    if not hasattr(customer, "phone_full"):
        mark_phones_shown(actor=actor, customers=[customer])
    return phone_shown(e164, full=customer.phone_full)
