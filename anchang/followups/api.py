"""Follow-up endpoints: the same services and selectors as the pages."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.customers.selectors import customer_get_visible, customer_timeline
from anchang.errors import ValidationFailed
from anchang.followups import selectors, services
from anchang.followups.models import FollowUp
from anchang.followups.serializers import (
    CustomerHistorySerializer,
    FollowUpInSerializer,
    FollowUpOutSerializer,
    GradeInSerializer,
    GradeOutSerializer,
)
from anchang.org.selectors import project_rules

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="At most 64 characters; the body's idempotency_key wins. A retry with the "
    "same key answers 201 with the first follow-up and records nothing.",
)  # fmt: skip


class FollowUpListApi(generics.ListAPIView):
    """Follow-ups on the customers you may view, newest first; POST records one."""

    serializer_class = FollowUpOutSerializer
    queryset = FollowUp.objects.none()  # the schema's model; requests read get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FollowUp.objects.none()
        return selectors.followups_visible(self.request.user)

    @extend_schema(
        request=FollowUpInSerializer,
        responses={201: FollowUpOutSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        serializer = FollowUpInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        customer = customer_get_visible(actor=request.user, pk=data.pop("customer"))
        key = data.pop("idempotency_key", None) or request.headers.get("Idempotency-Key")
        if key and len(key) > 64:
            raise ValidationFailed(fields={"idempotency_key": _("At most %(n)d characters.") % {
                "n": 64}})  # fmt: skip
        followup = services.followup_record(
            actor=request.user, customer=customer, idempotency_key=key, **data
        )
        return Response(FollowUpOutSerializer.represent(followup), status=status.HTTP_201_CREATED)


class CustomerHistoryApi(APIView):
    @extend_schema(responses=CustomerHistorySerializer)
    def get(self, request, pk: int):
        """A customer's calls and visits and everyone's follow-ups, as on the card: for
        whoever may see the customer."""
        customer = customer_get_visible(actor=request.user, pk=pk)
        body = {
            "customer": customer.pk,
            "registrations": customer_timeline(customer, limit=100),
            "followups": selectors.customer_followups(customer, limit=100),
        }
        return Response(CustomerHistorySerializer(body).data)


class CustomerGradeApi(APIView):
    def _body(self, customer):
        suggestion = services.grade_suggestion(customer)
        criteria = project_rules(customer.project).grading.criteria
        return {
            "grade": customer.grade,
            "checks": {c: (customer.grade_checks or {}).get(c) for c in criteria},
            "suggested": suggestion.grade,
            "reasons": list(suggestion.reasons),
            "horizon": customer.purchase_horizon,
            "changes": customer.grade_changes.order_by("-at", "-id")[:50],
        }

    @extend_schema(responses=GradeOutSerializer)
    def get(self, request, pk: int):
        customer = customer_get_visible(actor=request.user, pk=pk)
        return Response(GradeOutSerializer(self._body(customer)).data)

    @extend_schema(request=GradeInSerializer, responses=GradeOutSerializer)
    def post(self, request, pk: int):
        customer = customer_get_visible(actor=request.user, pk=pk)
        serializer = GradeInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.grade_set(
            actor=request.user, customer=customer, **serializer.validated_data
        )
        return Response(GradeOutSerializer(self._body(customer)).data)
