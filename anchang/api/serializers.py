"""Shared serializer behaviour: unknown fields are an error, not silently ignored; ids and
versions are bounded by their columns, so no number overflows the database."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


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
        return super().to_internal_value(data)


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
