"""API shapes of the suspicious-records report (可疑记录)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from anchang.followups.models import FollowUp, SuspicionFlag


class SuspiciousRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer = serializers.IntegerField(source="customer_id")
    author = serializers.IntegerField(source="author_id")
    kind = serializers.ChoiceField(choices=FollowUp.Kind.choices)
    reached = serializers.BooleanField()
    occurred_at = serializers.DateTimeField()
    entered_at = serializers.DateTimeField()
    is_backdated = serializers.BooleanField()
    content = serializers.CharField()


class FlagDetailsSerializer(serializers.Serializer):
    """The numbers behind a flag's reason; each kind fills its own (the rest are absent)."""

    other = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("near_duplicate: the record it repeats.")
    )
    percent = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("near_duplicate: how alike, in %.")
    )
    records = serializers.IntegerField(required=False, help_text=_("near_duplicate: records."))
    customers = serializers.IntegerField(
        required=False, help_text=_("near_duplicate: customers they were written for.")
    )
    count = serializers.IntegerField(required=False, help_text=_("burst: records."))
    minutes = serializers.IntegerField(required=False, help_text=_("burst: within minutes."))
    first = serializers.IntegerField(required=False, help_text=_("burst: first record."))
    last = serializers.IntegerField(required=False, help_text=_("burst: last record."))
    days = serializers.IntegerField(required=False, help_text=_("backdated: days late."))


class SuspicionFlagSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="flag.pk")
    kind = serializers.ChoiceField(choices=SuspicionFlag.Kind.choices, source="flag.kind")
    reason = serializers.CharField(help_text=_("Why, in words."))
    details = FlagDetailsSerializer(source="flag.details")
    detected_at = serializers.DateTimeField(source="flag.detected_at")
    project = serializers.IntegerField(source="flag.project_id")
    project_name = serializers.CharField(source="flag.project.name")
    customer = serializers.IntegerField(source="flag.customer_id")
    customer_name = serializers.CharField(source="flag.customer.name")
    consultant = serializers.IntegerField(source="flag.author_id")
    consultant_name = serializers.CharField(source="flag.author.__str__")
    followup = SuspiciousRecordSerializer(source="flag.followup")


class SuspicionCountSerializer(serializers.Serializer):
    consultant = serializers.IntegerField()
    consultant_name = serializers.CharField()
    backdated = serializers.IntegerField()
    near_duplicate = serializers.IntegerField()
    burst = serializers.IntegerField()
    filler = serializers.IntegerField()


class SuspicionReportSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="query.project.pk", allow_null=True, default=None)
    kind = serializers.CharField(source="query.kind", allow_null=True)
    consultant = serializers.IntegerField(source="query.consultant", allow_null=True)
    first_day = serializers.DateField(source="query.first_day")
    last_day = serializers.DateField(source="query.last_day")
    since = serializers.DateTimeField(source="query.since")
    until = serializers.DateTimeField(source="query.until")
    total = serializers.IntegerField(help_text=_("Flags matching, counted up to 10,000."))
    total_capped = serializers.BooleanField(help_text=_("More than 10,000 flags match."))
    next_cursor = serializers.CharField(
        allow_null=True, help_text=_("Pass as `cursor` for the next page; null on the last.")
    )
    page = serializers.CharField(help_text=_("The same report as a page."))
    counts = SuspicionCountSerializer(many=True, help_text=_("Flags per consultant, period."))
    results = SuspicionFlagSerializer(many=True, source="rows")
