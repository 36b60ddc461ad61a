"""The API's shapes of ownership conflicts decided on evidence."""

from __future__ import annotations

from rest_framework import serializers

from anchang.customers.models import OwnershipConflict


class LineSerializer(serializers.Serializer):
    at = serializers.DateTimeField(allow_null=True)
    side = serializers.ChoiceField(choices=["owner", "claimant"])
    text = serializers.CharField()


class CaseSerializer(serializers.Serializer):
    conflict = serializers.IntegerField(source="conflict.pk")
    customer = serializers.IntegerField(source="conflict.customer_id")
    owner = serializers.IntegerField(source="conflict.owner_id", allow_null=True)
    claimant = serializers.IntegerField(source="conflict.claimant_id")
    status = serializers.ChoiceField(source="conflict.status",
                                     choices=OwnershipConflict.Status.choices)  # fmt: skip
    proposed = serializers.ChoiceField(
        choices=OwnershipConflict.Status.choices,
        help_text="the outcome the project's ownership rule proposes; deciding otherwise "
        "needs a note",
    )
    reasons = serializers.ListField(child=serializers.CharField(), help_text="the evidence")
    timeline = LineSerializer(many=True)


class MyDayConflictSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    decided_at = serializers.DateTimeField()
    status = serializers.CharField()
    text = serializers.CharField()
    customer = serializers.IntegerField(allow_null=True, help_text="only if the customer is yours")
    customer_name = serializers.CharField()
    phone = serializers.CharField(help_text="masked, when the customer is not yours")


class MyDayConflictsSerializer(serializers.Serializer):
    """Conflicts' section of My day in the API (followups.my_day.sections)."""

    conflict_outcomes = MyDayConflictSerializer(
        many=True, help_text="撞单 decided in the last 7 days that concern you"
    )
