"""Phones on pages: a number the reader may see in full is a tel: link (a tap calls it on a
phone); a masked one is plain text and never a link."""

import re

from django import template
from django.utils.html import format_html

from anchang.customers.phones import format_phone, mask_phone

register = template.Library()

_E164 = re.compile(r"\+[1-9]\d{6,14}")


@register.simple_tag
def phone(e164: str, full: bool) -> str:
    """`{% phone customer.phone may_see_full %}`: the one way a template shows a phone."""
    if not e164:
        return ""
    if not full:
        return mask_phone(e164)
    if not _E164.fullmatch(e164):  # stored numbers are E.164; anything else is no link
        return format_phone(e164)
    return format_html('<a href="tel:{}" class="text-nowrap">{}</a>', e164, format_phone(e164))
