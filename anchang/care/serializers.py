"""Owner care's API shapes (input shape only; the services decide)."""

from __future__ import annotations

from rest_framework import serializers

from anchang.api.serializers import IdField, StrictSerializer
from anchang.care import rules
from anchang.care.models import Batch, Consent, Message, MessageTemplate, Purpose
from anchang.care.selectors import AUDIENCE_FILTERS
from anchang.care.services.batches import COMMENT_MAX, TITLE_MAX
from anchang.care.services.consent import NOTE_MAX, STAFF_SOURCES
from anchang.care.services.messages import KEY_MAX


class MessageSerializer(serializers.ModelSerializer):
    sender = serializers.StringRelatedField(help_text="in whose name it went")

    class Meta:
        model = Message
        fields = ["id", "channel", "purpose", "status", "body", "sender", "template",
                  "not_before", "created_at", "sent_at", "delivered_at", "error_code"]  # fmt: skip
        read_only_fields = fields


class MessageInSerializer(StrictSerializer):
    template = IdField(help_text="a template of the customer's project (GET message-templates)")
    params = serializers.DictField(
        child=serializers.CharField(max_length=rules.VALUE_MAX, allow_blank=True),
        required=False, default=dict,
        help_text="the template's own variables; name, consultant and project fill themselves",
    )  # fmt: skip
    send_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                        help_text="empty: now; up to 90 days ahead")  # fmt: skip
    idempotency_key = serializers.CharField(max_length=KEY_MAX, required=False,
                                            allow_blank=True)  # fmt: skip


class TemplateSerializer(serializers.ModelSerializer):
    variables = serializers.SerializerMethodField()

    class Meta:
        model = MessageTemplate
        fields = ["id", "project", "name", "purpose", "channel", "body", "variables"]
        read_only_fields = fields

    def get_variables(self, template: MessageTemplate) -> list[str]:
        return rules.template_variables(template.body)


class ConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["purpose", "granted", "source", "note", "changed_at"]
        read_only_fields = fields


class ConsentInSerializer(StrictSerializer):
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    granted = serializers.BooleanField()
    source = serializers.ChoiceField(choices=[(s.value, s.label) for s in STAFF_SOURCES])
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True,
                                 default="")  # fmt: skip


class AudienceSerializer(StrictSerializer):
    """The customer list's filters a batch may use (GET /api/v1/customers/ takes the same)."""

    def get_fields(self):
        return {
            name: serializers.CharField(required=False, max_length=limit)
            for name, limit in AUDIENCE_FILTERS.items()
        }


class MessageBatchInSerializer(StrictSerializer):
    project = IdField()
    template = IdField()
    title = serializers.CharField(max_length=TITLE_MAX, required=False, allow_blank=True,
                                  default="")  # fmt: skip
    params = serializers.DictField(
        child=serializers.CharField(max_length=rules.VALUE_MAX, allow_blank=True),
        required=False, default=dict,
    )  # fmt: skip
    audience = AudienceSerializer(required=False, default=dict)
    send_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    idempotency_key = serializers.CharField(max_length=KEY_MAX, required=False,
                                            allow_blank=True)  # fmt: skip


class PreviewSerializer(serializers.Serializer):
    recipients = serializers.IntegerField()
    will_send = serializers.IntegerField()
    refused = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="reason (no_consent, not_mobile, weekly_cap) → count",
    )
    sample = serializers.CharField()
    needs_approval = serializers.BooleanField()


class MessageBatchSerializer(serializers.ModelSerializer):
    params = serializers.DictField(child=serializers.CharField(), read_only=True)
    audience = AudienceSerializer(read_only=True)
    created_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField()

    class Meta:
        model = Batch
        fields = ["id", "project", "template", "title", "params", "audience", "status",
                  "recipients", "send_at", "created_by", "created_at", "decided_by",
                  "decided_at", "comment"]  # fmt: skip
        read_only_fields = fields


class MessageBatchDetailSerializer(MessageBatchSerializer):
    counts = serializers.DictField(
        child=serializers.IntegerField(), read_only=True,
        help_text="messages by status; blocked:<reason> too",
    )  # fmt: skip

    class Meta(MessageBatchSerializer.Meta):
        fields = [*MessageBatchSerializer.Meta.fields, "counts"]
        read_only_fields = fields


class MessageBatchDecideInSerializer(StrictSerializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(max_length=COMMENT_MAX, required=False, allow_blank=True,
                                    default="")  # fmt: skip
