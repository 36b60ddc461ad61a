"""Shared serializer behaviour: unknown fields are an error, not silently ignored; ids and
versions are bounded by their columns, so no number overflows the database."""

import threading

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def _foreign_digits(field, value) -> bool:
    """Whether `value`, sent for `field`, is a whole number in other digits than ASCII."""
    if isinstance(field, serializers.IntegerField):
        return isinstance(value, str) and not value.strip().isascii()
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        return any(_foreign_digits(field.child, item) for item in value)
    return False


class StrictSerializer(serializers.Serializer):
    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Send a JSON object.")]}, code="invalid"
            )
        unknown = sorted(set(data) - {name for name, f in self.fields.items() if not f.read_only})
        if unknown:
            raise serializers.ValidationError(
                {name: [_("Unknown field.")] for name in unknown}, code="unknown_field"
            )
        # A whole number written in other digits (١, ²) is not one: Python's int() reads
        # "١" as 1, so an id in a body named an object the sender never typed.
        # The same for each whole number of a list ({"to": ["١"]}).
        foreign = sorted(
            name for name, field in self.fields.items() if _foreign_digits(field, data.get(name))
        )
        if foreign:
            raise serializers.ValidationError(
                {name: [_("A valid integer is required.")] for name in foreign}, code="invalid"
            )
        return super().to_internal_value(data)


class Reused:
    """An answer's serializer whose fields are built once per class and thread: put before
    the serializer class in its bases, answer with `Cls.represent(instance)`. DRF builds a
    serializer's fields afresh for every instance (a ModelSerializer reads its model's
    fields and makes each one again), a fifth of recording a follow-up through the API. Only
    for answers that need no context (no request, no user): the shared instance has none."""

    _shared = threading.local()

    @classmethod
    def represent(cls, instance) -> dict:
        """What `cls(instance).data` gives, from the thread's one instance of the class."""
        built = cls._shared.__dict__
        serializer = built.get(cls)
        if serializer is None:
            serializer = built[cls] = cls()
        return serializer.to_representation(instance)


ID_MAX = 2**63 - 1  # BigAutoField
VERSION_MAX = 2**31 - 1  # an IntegerField column on PostgreSQL


class IdField(serializers.IntegerField):
    """An object's id as input: 1 to the largest id the database can hold."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)


class VersionField(serializers.IntegerField):
    """The version a client last read (optimistic locking)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", VERSION_MAX)
        super().__init__(**kwargs)


class TextField(serializers.CharField):
    """Text whose limits the service checks, with its own message and error code (so a
    page and the API answer alike). The schema states the service's limits (`limit`,
    `minimum`, and per-kind minimums in `min_length_by`); the serializer itself only
    bounds the body, generously, and leaves a blank value to the service too."""

    def __init__(self, *, limit: int, minimum: int | None = None, min_length_by=None, **kwargs):
        self.limit = limit
        self.minimum = minimum
        self.min_length_by = dict(min_length_by or {})
        kwargs.setdefault("max_length", limit * 10)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)
