"""Revisit-plan endpoints (回访计划): the same services and selectors as the pages."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.errors import PermissionDenied, ValidationFailed
from anchang.followups.models import RevisitPlan
from anchang.followups.revisits import selectors
from anchang.followups.revisits import services as revisits
from anchang.followups.revisits.serializers import (
    RevisitPlanDetailSerializer,
    RevisitPlanInSerializer,
    RevisitPlanOutSerializer,
    RevisitReportInSerializer,
    RevisitReviewInSerializer,
)
from anchang.org import policies


def _ensure_page(request) -> None:
    if not policies.can_open_page(actor=request.user, page="revisit_plans"):
        raise PermissionDenied()


def _detail(plan: RevisitPlan) -> dict:
    plan.progress = selectors.plan_progress(plan)
    return RevisitPlanDetailSerializer(plan).data


class RevisitPlanListApi(generics.ListAPIView):
    """Revisit plans you may see, newest first, with their figures; POST creates one from
    the customer list's filter (targets: the customers it matches that you may list)."""

    serializer_class = RevisitPlanOutSerializer
    queryset = RevisitPlan.objects.none()  # the schema's model; requests read get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RevisitPlan.objects.none()
        _ensure_page(self.request)
        return selectors.plans_visible(self.request.user, figures=True)

    @extend_schema(request=RevisitPlanInSerializer, responses={201: RevisitPlanDetailSerializer})
    def post(self, request):
        _ensure_page(request)
        serializer = RevisitPlanInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        project = selectors.plan_projects(request.user).filter(pk=data.pop("project")).first()
        if project is None:
            raise ValidationFailed(fields={"project": _("Choose one of your projects.")})
        plan = revisits.plan_create(actor=request.user, project=project, **data)
        return Response(_detail(plan), status=status.HTTP_201_CREATED)


class RevisitPlanDetailApi(APIView):
    @extend_schema(responses=RevisitPlanDetailSerializer)
    def get(self, request, pk: int):
        _ensure_page(request)
        plan = selectors.plan_get_visible(actor=request.user, pk=pk)
        return Response(_detail(plan))


class RevisitPlanReportApi(APIView):
    @extend_schema(request=RevisitReportInSerializer, responses=RevisitPlanDetailSerializer)
    def post(self, request, pk: int):
        _ensure_page(request)
        plan = selectors.plan_get_visible(actor=request.user, pk=pk)
        serializer = RevisitReportInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = revisits.plan_report(actor=request.user, plan=plan,
                                    report=serializer.validated_data["report"])  # fmt: skip
        return Response(_detail(plan))


class RevisitPlanReviewApi(APIView):
    @extend_schema(request=RevisitReviewInSerializer, responses=RevisitPlanDetailSerializer)
    def post(self, request, pk: int):
        _ensure_page(request)
        plan = selectors.plan_get_visible(actor=request.user, pk=pk)
        serializer = RevisitReviewInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = revisits.plan_review(actor=request.user, plan=plan,
                                    comment=serializer.validated_data["comment"])  # fmt: skip
        return Response(_detail(plan))
