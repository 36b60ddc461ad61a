"""API shapes of revisit plans (回访计划): what the endpoints take and answer."""

import django_filters
from django.utils.translation import gettext as _
from rest_framework import serializers

from anchang.api.serializers import IdField, StrictSerializer, TextField
from anchang.customers.filters import CustomerFilter
from anchang.followups.models import RevisitPlan
from anchang.followups.revisits import services as revisits
from anchang.followups.revisits.selectors import CRITERIA_KEYS, CRITERION_MAX
from anchang.ids import IdFilter


def _criterion_field(spec) -> serializers.Field:
    """The serializer field for one of the customer list's filters, typed like it."""
    kwargs = {"required": False}
    if isinstance(spec, django_filters.BooleanFilter):
        return serializers.BooleanField(allow_null=True, **kwargs)
    if isinstance(spec, django_filters.ChoiceFilter):
        return serializers.ChoiceField(choices=spec.extra["choices"], allow_blank=True, **kwargs)
    if isinstance(spec, django_filters.NumberFilter | IdFilter):
        return IdField(allow_null=True, **kwargs)
    if isinstance(spec, django_filters.DateFilter):
        return serializers.DateField(allow_null=True, **kwargs)
    if isinstance(spec, django_filters.DateTimeFilter):
        return serializers.DateTimeField(allow_null=True, **kwargs)
    limit = spec.extra.get("max_length") or CRITERION_MAX
    return serializers.CharField(max_length=limit, allow_blank=True, **kwargs)


class RevisitCriteriaSerializer(StrictSerializer):
    """The customer list's filter parameters, as the list takes them."""

    def get_fields(self):
        return {name: _criterion_field(CustomerFilter.base_filters[name]) for name in CRITERIA_KEYS}

    def to_internal_value(self, data):
        if not isinstance(data, dict):  # said of `criteria` itself, not of a field in it
            raise serializers.ValidationError([_("Send a JSON object.")], code="invalid")
        # the service reads the filters as the list's query string would give them
        values = super().to_internal_value(data)
        return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()}


class RevisitPlanInSerializer(StrictSerializer):
    project = IdField()
    title = serializers.CharField(max_length=revisits.TITLE_MAX)
    purpose = serializers.CharField(max_length=revisits.PURPOSE_MAX)
    talking_points = serializers.CharField(
        max_length=revisits.TALKING_POINTS_MAX, allow_blank=True, default="", trim_whitespace=False
    )
    starts_on = serializers.DateField()
    due_on = serializers.DateField()
    criteria = RevisitCriteriaSerializer(default=dict)


class RevisitReportInSerializer(StrictSerializer):
    report = TextField(
        limit=revisits.REPORT_MAX, minimum=revisits.REPORT_MIN, trim_whitespace=False
    )


class RevisitReviewInSerializer(StrictSerializer):
    comment = serializers.CharField(max_length=revisits.COMMENT_MAX)


class OwnerProgressSerializer(serializers.Serializer):
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    owner_name = serializers.CharField()
    targets = serializers.IntegerField()
    done = serializers.IntegerField()
    reached = serializers.IntegerField()
    missed = serializers.IntegerField()
    open = serializers.IntegerField()


class ProgressSerializer(serializers.Serializer):
    targets = serializers.IntegerField()
    done = serializers.IntegerField()
    reached = serializers.IntegerField()
    missed = serializers.IntegerField()
    open = serializers.IntegerField()
    per_owner = OwnerProgressSerializer(many=True)


PLAN_FIELDS = [
    "id", "project", "created_by", "title", "purpose", "talking_points", "starts_on", "due_on",
    "criteria", "status", "report", "reported_at", "reviewed_by", "reviewed_at",
    "review_comment", "closed_at", "created_at",
]  # fmt: skip


class RevisitPlanOutSerializer(serializers.ModelSerializer):
    criteria = RevisitCriteriaSerializer(read_only=True)
    targets = serializers.IntegerField(source="n_targets", read_only=True)
    done = serializers.IntegerField(source="n_done", read_only=True)
    reached = serializers.IntegerField(source="n_reached", read_only=True)
    missed = serializers.IntegerField(source="n_missed", read_only=True)

    class Meta:
        model = RevisitPlan
        fields = [*PLAN_FIELDS, "targets", "done", "reached", "missed"]
        read_only_fields = fields


class RevisitPlanDetailSerializer(serializers.ModelSerializer):
    criteria = RevisitCriteriaSerializer(read_only=True)
    progress = ProgressSerializer(read_only=True)

    class Meta:
        model = RevisitPlan
        fields = [*PLAN_FIELDS, "progress"]
        read_only_fields = fields
