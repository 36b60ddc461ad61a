"""A whole number in a request body is ASCII digits, in every serializer of the API.

DRF's IntegerField reads int("١") as 1, so {"customer": "١"} named customer 1; paths,
queries and forms already refuse other digits (anchang.ids.parse_id). Every StrictSerializer
with a whole-number field is fed such digits, one field at a time, and must refuse them."""

from __future__ import annotations

import pytest
from rest_framework import serializers

from anchang.api.serializers import StrictSerializer
from tests.api.test_schema import _ours

FOREIGN = ["١", "²", "１２", "𝟙"]
CASES = [
    (cls, name)
    for cls in _ours(StrictSerializer)
    for name, field in cls().fields.items()
    if isinstance(field, serializers.IntegerField) and not field.read_only
]


LIST_CASES = [
    (cls, name)
    for cls in _ours(StrictSerializer)
    for name, field in cls().fields.items()
    if isinstance(field, serializers.ListField)
    and isinstance(field.child, serializers.IntegerField)
    and not field.read_only
]


def test_there_are_whole_number_fields_to_check():
    assert len(CASES) >= 10


@pytest.mark.parametrize(("cls", "name"), CASES, ids=lambda c: getattr(c, "__name__", c))
@pytest.mark.parametrize("value", FOREIGN)
def test_other_digits_are_refused(cls, name, value):
    serializer = cls(data={name: value})
    assert not serializer.is_valid()
    assert name in serializer.errors, (cls.__name__, name, serializer.errors)


def test_there_are_lists_of_whole_numbers_to_check():
    assert len(LIST_CASES) >= 2


@pytest.mark.parametrize(("cls", "name"), LIST_CASES, ids=lambda c: getattr(c, "__name__", c))
@pytest.mark.parametrize("value", FOREIGN)
def test_other_digits_in_a_list_are_refused(cls, name, value):
    """{"to": ["١"]} named user 1 among the colleagues a handover went to."""
    serializer = cls(data={name: ["2", value]})
    assert not serializer.is_valid()
    assert name in serializer.errors, (cls.__name__, name, serializer.errors)
