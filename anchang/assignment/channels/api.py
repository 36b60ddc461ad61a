"""Channel reports through the API: an agent reports and reads their own (limited per hour
at every door); a project's managers read its reports and settle commissions."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.assignment.channels import selectors, services
from anchang.assignment.channels.serializers import (
    AgentReportSerializer,
    ChannelDecideInSerializer,
    ProjectReportSerializer,
    ReportInSerializer,
)
from anchang.errors import NotFound

PROJECT = OpenApiParameter("project", OpenApiTypes.INT, description="a project you manage")
ROWS = 100


class ChannelReportsApi(APIView):
    @extend_schema(responses=AgentReportSerializer(many=True))
    def get(self, request):
        """Your own reports (an agent), newest first, 100 at most."""
        rows = selectors.my_reports(request.user)[:ROWS]
        return Response(AgentReportSerializer(rows, many=True).data)

    @extend_schema(request=ReportInSerializer, responses={201: AgentReportSerializer})
    def post(self, request):
        """报备: valid or not valid, nothing more (429 `report_limit` past the hour's limit)."""
        data = ReportInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = services.report_submit(actor=request.user, **data.validated_data)
        return Response(AgentReportSerializer(made).data, status=status.HTTP_201_CREATED)


class ProjectReportsApi(APIView):
    @extend_schema(parameters=[PROJECT], responses=ProjectReportSerializer(many=True))
    def get(self, request):
        """A project's reports for its managers, with why a report is not valid, newest first,
        100 at most."""
        project = selectors.managing_project(request.user, request.query_params.get("project"))
        rows = selectors.project_reports(project)[:ROWS]
        return Response(ProjectReportSerializer(rows, many=True).data)


class ChannelPaidApi(APIView):
    @extend_schema(request=None, responses=ProjectReportSerializer)
    def post(self, request, pk: int):
        """The commission of a deal credited to a channel is settled."""
        report = selectors.managed_report(request.user, pk)
        if report is None:
            raise NotFound()
        report = services.commission_paid(actor=request.user, report=report)
        return Response(ProjectReportSerializer(report).data)


class ChannelDecideApi(APIView):
    @extend_schema(request=ChannelDecideInSerializer, responses=ProjectReportSerializer)
    def post(self, request, pk: int):
        """渠道撞单: a visit that clashed with the report (the visitor named another medium) is
        the channel's, or the visitor's own (with a note); 409 `not_disputed` otherwise."""
        report = selectors.managed_report(request.user, pk)
        if report is None:
            raise NotFound()
        data = ChannelDecideInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_decide(actor=request.user, report=report, **data.validated_data)
        return Response(ProjectReportSerializer(report).data)
