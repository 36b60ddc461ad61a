"""GET /api/v1/followups/suspicious/: the suspicious-records page as JSON, same selector."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.followups import suspicion_selectors as selectors
from anchang.followups.models import FollowUp


class SuspiciousRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer = serializers.IntegerField(source="customer.pk")
    customer_name = serializers.CharField(source="customer.name")
    author = serializers.IntegerField(source="author.pk")
    author_name = serializers.CharField(source="author.__str__")
    kind = serializers.ChoiceField(choices=FollowUp.Kind.choices)
    reached = serializers.BooleanField()
    occurred_at = serializers.DateTimeField()
    entered_at = serializers.DateTimeField()
    content = serializers.CharField()


class SuspicionMatchSerializer(serializers.Serializer):
    record = serializers.IntegerField(source="record_id")
    other = serializers.IntegerField(source="other_id")
    similarity = serializers.IntegerField(source="percent", help_text=_("Percent alike (0–100)."))


class SuspicionFlagSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_("near_duplicate, burst or filler."))
    reason = serializers.CharField(help_text=_("Why, in words."))
    project = serializers.IntegerField(source="project.pk")
    author = serializers.IntegerField(source="flag.author_id")
    author_name = serializers.SerializerMethodField()
    latest_entered_at = serializers.DateTimeField(source="latest")
    record_ids = serializers.ListField(child=serializers.IntegerField(), source="flag.record_ids")
    matches = SuspicionMatchSerializer(many=True, source="flag.matches")
    records = SuspiciousRecordSerializer(
        many=True, help_text=_("Up to 12 of the records; for near-duplicates the matched pairs.")
    )

    def get_author_name(self, view) -> str:
        return str(view.author) if view.author else ""


class SuspicionReportSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project.pk", allow_null=True)
    days = serializers.IntegerField()
    since = serializers.DateTimeField()
    checked = serializers.IntegerField(help_text=_("Follow-ups checked."))
    truncated = serializers.BooleanField(
        help_text=_("Too many records: only the newest were checked.")
    )
    total = serializers.IntegerField(help_text=_("Flags found; at most 200 are listed."))
    page = serializers.CharField(help_text=_("The same report as a page."))
    flags = SuspicionFlagSerializer(many=True)


class SuspiciousFollowUpsApi(APIView):
    """Follow-ups worth a manager's second look (可疑记录), newest first: nearly the same
    text on different customers, bursts entered minutes apart, filler content. Each flag
    says why; nothing is penalised automatically. Managers and admins only."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "project",
                OpenApiTypes.INT,
                description=_("One project you review; all of them when left out."),
            ),
            OpenApiParameter(
                "days",
                OpenApiTypes.INT,
                description=_("Records entered in the last 1–30 days (default 7)."),
            ),
        ],  # fmt: skip
        responses=SuspicionReportSerializer,
    )
    def get(self, request):
        report = selectors.suspicious_followups(
            request.user, request.query_params.get("project"), request.query_params.get("days")
        )
        body = {
            "project": report.project,
            "days": report.days,
            "since": report.since,
            "checked": report.checked,
            "truncated": report.truncated,
            "total": report.total,
            "page": reverse("followups:suspicious"),
            "flags": report.flags,
        }
        return Response(SuspicionReportSerializer(body).data)
