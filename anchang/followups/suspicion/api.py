"""GET /api/v1/followups/suspicious/: the suspicious-records report as JSON, same selector."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.followups.models import SuspicionFlag
from anchang.followups.suspicion import selectors
from anchang.followups.suspicion.serializers import SuspicionReportSerializer


def _param(name: str, kind, description, **extra) -> OpenApiParameter:
    return OpenApiParameter(name, kind, description=description, **extra)


class SuspiciousFollowUpsApi(APIView):
    """Follow-ups worth a manager's second look (可疑记录), newest first: back-dated, nearly
    the same text on different customers, bursts entered minutes apart, filler content.
    Each flag was stored when detected and says why; nothing is penalised automatically.
    Any period, paged with `cursor`. Managers and admins only."""

    @extend_schema(
        parameters=[
            _param("project", OpenApiTypes.INT, _("One project you review; all when left out.")),
            _param(
                "kind",
                OpenApiTypes.STR,
                _("Only this kind of flag."),
                enum=list(SuspicionFlag.Kind.values),
            ),
            _param("consultant", OpenApiTypes.INT, _("Only this consultant's records.")),
            _param(
                "days",
                OpenApiTypes.INT,
                _("Records entered in the last 1–3660 days (default 30); ignored with from/to."),
            ),
            _param("from", OpenApiTypes.DATE, _("First day (YYYY-MM-DD).")),
            _param("to", OpenApiTypes.DATE, _("Last day (YYYY-MM-DD), default today.")),
            _param("cursor", OpenApiTypes.STR, _("`next_cursor` of the previous page.")),
            _param("page_size", OpenApiTypes.INT, _("1–200, default 50.")),
        ],  # fmt: skip
        responses=SuspicionReportSerializer,
    )
    def get(self, request):
        report = selectors.suspicious_followups(request.user, request.query_params)
        report.page = reverse("followups:suspicious")
        report.counts = [
            {"consultant": user.pk, "consultant_name": str(user), **kinds}
            for user, kinds in report.counts
        ]
        return Response(SuspicionReportSerializer(report).data)
