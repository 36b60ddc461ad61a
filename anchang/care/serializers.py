"""Owner care's API shapes (input shape only; the services decide)."""

from __future__ import annotations

from rest_framework import serializers

from anchang.api.serializers import IdField, StrictSerializer
from anchang.care import rules
from anchang.care.models import Consent, Message, MessageTemplate, Purpose
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
