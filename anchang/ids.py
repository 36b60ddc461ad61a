"""Ids and other whole numbers from outside (a URL, a query string, a form, a cursor): ASCII
digits only, bounded by the column. `int()` takes "١٢٣" and raises on "²" (which
`str.isdigit()` lets through), and the database raises OverflowError for 10**23; each was a
500. One parser, one filter type, one path check, used everywhere."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

ID_MAX = 2**63 - 1  # BigAutoField; also the widest integer column either database holds
_MAX_DIGITS = len(str(ID_MAX))


def parse_id(value, *, maximum: int = ID_MAX) -> int | None:
    """The id in `value` (a str or an int), or None when it is not one: not only ASCII
    digits, zero, negative, a float, or above `maximum`."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not (text and text.isascii() and text.isdecimal() and len(text) <= _MAX_DIGITS):
            return None
        number = int(text)
    else:
        return None
    return number if 1 <= number <= maximum else None


class IdFormField(forms.Field):
    """A form field for an id: empty is None, anything else must be a valid id."""

    default_error_messages = {
        "invalid": _("Enter an id: a whole number from 1 to %(max)s."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_id(value)
        if number is None:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"max": ID_MAX}
            )
        return number


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": ID_MAX})
class IdFilter(django_filters.Filter):
    """The filter for an id (a foreign key, a primary key) in every FilterSet: a float, a
    huge or negative number or a Unicode digit is a 400 in the API and ignored on a page,
    never a database overflow. The schema says integer."""

    field_class = IdFormField


class PathIdBoundsMiddleware:
    """Every whole number captured from a URL path (`<int:pk>`) is an id: above what a
    column holds, the answer is 404 (there can be no such object), not the database's
    OverflowError. One check for every route, present and future."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and value > ID_MAX:
                raise Http404
        return None


def parse_choice(value, choices) -> int | None:
    """One of `choices` (whole numbers, e.g. a page's 7/14/31 days) written in ASCII digits,
    or None."""
    number = parse_id(value, maximum=max(choices))
    return number if number in choices else None
