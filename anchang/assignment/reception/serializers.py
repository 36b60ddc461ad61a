"""The API's shapes of reception: the roster, the ledger, a walk-in and its inputs."""

from __future__ import annotations

from rest_framework import serializers

from anchang.api.serializers import IdField, StrictSerializer, TextField, VersionField
from anchang.assignment import rules
from anchang.assignment.models import DutyEntry, TurnEntry
from anchang.assignment.reception.selectors import entry_phone_shown
from anchang.customers.phones import PHONE_INPUT_MAX
from anchang.validators import max_length_of


class TurnEntrySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=TurnEntry.Kind.choices)
    consultant_name = serializers.CharField(source="consultant.name")
    phone = serializers.SerializerMethodField(
        help_text="masked unless you received this visitor or own the customer"
    )
    reason = serializers.CharField(help_text="a skip's: " + ", ".join(rules.SKIP_REASONS))

    class Meta:
        model = TurnEntry
        fields = [
            "id", "project", "day", "seq", "at", "kind", "consultant", "consultant_name",
            "owner", "customer", "visitor", "phone", "reason", "walk_in",
        ]  # fmt: skip

    def get_phone(self, entry) -> str:
        return entry_phone_shown(self.context["request"].user, entry)


class DutyEntrySerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=DutyEntry.Status.choices)
    consultant_name = serializers.CharField(source="consultant.name")

    class Meta:
        model = DutyEntry
        fields = [
            "id", "project", "day", "consultant", "consultant_name", "signed_in_at", "status",
            "status_since", "slot_start", "slot_end", "owed", "received", "version",
        ]  # fmt: skip


class DeskSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project.pk")
    day = serializers.DateField()
    roster = DutyEntrySerializer(many=True, help_text="signed in today, in sign-in order")
    next_up = DutyEntrySerializer(allow_null=True, help_text="whose turn a new visitor is")
    next_is_makeup = serializers.BooleanField()
    recent = TurnEntrySerializer(many=True, help_text="today's latest 20 entries, newest first")


class WalkInSerializer(serializers.Serializer):
    entry = TurnEntrySerializer(help_text="the receiver's entry: turn, makeup, owner or stand_in")
    skipped = TurnEntrySerializer(many=True, help_text="the consultants passed over on the way")


class WalkInInSerializer(StrictSerializer):
    project = IdField()
    phone = serializers.CharField(
        max_length=PHONE_INPUT_MAX, required=False, allow_blank=True,
        help_text="optional: a known phone goes to its owner",
    )  # fmt: skip
    visitor = TextField(limit=max_length_of(TurnEntry, "visitor"), required=False,
                        help_text="who came, e.g. 王先生 2 人")  # fmt: skip
    idempotency_key = serializers.CharField(max_length=64, required=False, allow_blank=True)


class SignInInSerializer(StrictSerializer):
    project = IdField()
    consultant = IdField(required=False, help_text="yourself when left out")
    slot_start = serializers.TimeField(required=False, allow_null=True)
    slot_end = serializers.TimeField(required=False, allow_null=True)


class DutySetInSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=DutyEntry.Status.choices)
    version = VersionField(required=False)


class SkipInSerializer(StrictSerializer):
    project = IdField()
    consultant = IdField()
    reason = serializers.ChoiceField(choices=list(rules.SKIP_REASONS), default="no_answer")


class FairnessRowSerializer(serializers.Serializer):
    consultant = serializers.IntegerField()
    consultant_name = serializers.CharField()
    days = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="by date (YYYY-MM-DD): counts by kind",
    )
    totals = serializers.DictField(child=serializers.IntegerField(), help_text="counts by kind")


class MyDayWalkInSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    project = serializers.IntegerField(source="project_id")
    customer = serializers.IntegerField(source="customer_id", allow_null=True)
    visitor = serializers.CharField()
    phone = serializers.SerializerMethodField()

    def get_phone(self, entry) -> str:
        return entry_phone_shown(self.context["request"].user, entry)


class MyDayWalkInsSerializer(serializers.Serializer):
    """Reception's section of My day in the API (followups.my_day.sections)."""

    walk_ins = MyDayWalkInSerializer(many=True, help_text="the desk sent you today, 20 at most")
