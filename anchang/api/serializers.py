"""Shared serializer behaviour: unknown fields are an error, not silently ignored."""

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
