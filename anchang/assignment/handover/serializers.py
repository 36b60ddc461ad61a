"""The API's shapes of assignment and handover."""

from __future__ import annotations

from rest_framework import serializers

from anchang.api.serializers import IdField, StrictSerializer, TextField
from anchang.assignment import rules
from anchang.assignment.handover.services import TAKERS_MAX


class QueueCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    phone = serializers.CharField(source="phone_masked", help_text="masked: 138****8000")
    state = serializers.CharField()
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    next_follow_up_on = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()


class SpreadInSerializer(StrictSerializer):
    project = IdField()
    to = serializers.ListField(child=IdField(), min_length=1, max_length=TAKERS_MAX,
                               help_text="the colleagues' user ids")  # fmt: skip
    how = serializers.ChoiceField(choices=list(rules.SPREADS), default="least_loaded")
    reason = TextField(limit=200, minimum=1)
    over_cap = TextField(
        limit=200, required=False, help_text="a reason to go over the hold cap; empty: respect it"
    )


class AssignInSerializer(SpreadInSerializer):
    customers = serializers.ListField(child=IdField(), min_length=1, max_length=5000)


class HandoverInSerializer(SpreadInSerializer):
    leaver = IdField()
    preview = serializers.BooleanField(default=False, help_text="true: the plan, nothing moves")


class SpreadOutSerializer(serializers.Serializer):
    moved = serializers.IntegerField(help_text="customers moved (or, in a preview, that would)")
    to = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="by colleague's user id: the customer ids they get",
    )
    left = serializers.ListField(
        child=serializers.IntegerField(), help_text="customers nobody could take (preview)"
    )
    preview = serializers.BooleanField()
