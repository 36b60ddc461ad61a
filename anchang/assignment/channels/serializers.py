"""The API's shapes of channel reports: what an agent may learn, and what managers read."""

from __future__ import annotations

from rest_framework import serializers

from anchang.api.serializers import StrictSerializer, TextField
from anchang.assignment.models import ChannelReport
from anchang.customers.phones import PHONE_INPUT_MAX, mask_phone
from anchang.validators import max_length_of


class AgentReportSerializer(serializers.ModelSerializer):
    """What the agent learns: valid or not, with the phone masked (first 3 + last 4)."""

    status = serializers.ChoiceField(choices=ChannelReport.Status.choices)
    phone = serializers.SerializerMethodField(help_text="masked: 138****8000")

    class Meta:
        model = ChannelReport
        fields = ["id", "name", "phone", "reported_at", "status", "visit_by", "deal_by"]
        read_only_fields = fields

    def get_phone(self, report) -> str:
        return mask_phone(report.phone)


class ProjectReportSerializer(AgentReportSerializer):
    """What the project's managers read besides: the company, agent, reason, customer and the
    commission."""

    company_name = serializers.CharField(source="company.name")
    reason = serializers.CharField(help_text="why not valid: known, reported")
    commission = serializers.ChoiceField(choices=ChannelReport.Commission.choices)

    class Meta(AgentReportSerializer.Meta):
        fields = [
            *AgentReportSerializer.Meta.fields, "company", "company_name", "agent", "reason",
            "visited_at", "customer", "dealt_at", "commission",
        ]  # fmt: skip
        read_only_fields = fields


class ReportInSerializer(StrictSerializer):
    name = TextField(limit=max_length_of(ChannelReport, "name"), minimum=1)
    phone = serializers.CharField(max_length=PHONE_INPUT_MAX)
    idempotency_key = serializers.CharField(max_length=64, required=False, allow_blank=True)


class ChannelDecideInSerializer(StrictSerializer):
    credit = serializers.BooleanField(
        help_text="true: the channel's visit; false: the visitor's own"
    )
    note = TextField(limit=200, required=False, help_text="required when not the channel's")
