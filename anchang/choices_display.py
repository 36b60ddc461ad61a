"""A cheaper get_FOO_display() for models with choices.

Django's builds a dict of every choice on every call, and hashing each lazy label
translates it: a customer list of 50 rows translated 200 labels to show 50 states. Here
the choices are indexed once per field (they are code, fixed for the process) and only the
label shown is translated, in the language of the request.
"""

from functools import cache

from django.db.models import Field
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


@cache
def _labels(field: Field) -> dict:
    # Keyed by the stored value; the labels stay lazy, translated when shown.
    return {make_hashable(value): label for value, label in field.flatchoices}


class ChoicesDisplay:
    """Put before models.Model in a model's bases: get_FOO_display() then uses this."""

    def _get_FIELD_display(self, field: Field) -> str:
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)
