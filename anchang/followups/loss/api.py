"""Loss-application endpoints (战败): the same services and selectors as the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.customers.selectors import customer_get_visible
from anchang.followups.loss import selectors
from anchang.followups.loss import services as loss
from anchang.followups.loss.serializers import (
    LossApplicationOutSerializer,
    LossApplyInSerializer,
    LossDecisionInSerializer,
    LossRejectInSerializer,
)
from anchang.followups.models import LossApplication


class LossApplicationListApi(generics.ListAPIView):
    """Loss applications on customers you may see; POST applies for one."""

    serializer_class = LossApplicationOutSerializer
    queryset = LossApplication.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LossApplication.objects.none()
        return selectors.loss_applications_visible(self.request.user)

    @extend_schema(request=LossApplyInSerializer, responses={201: LossApplicationOutSerializer})
    def post(self, request):
        serializer = LossApplyInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        customer = customer_get_visible(actor=request.user, pk=data.pop("customer"))
        application = loss.loss_apply(actor=request.user, customer=customer,
                                      **data)  # fmt: skip
        return Response(
            LossApplicationOutSerializer(application).data, status=status.HTTP_201_CREATED
        )


class _LossDecisionApi(APIView):
    decide = None
    body = LossDecisionInSerializer

    def post(self, request, pk: int):
        application = get_object_or_404(selectors.loss_applications_visible(request.user), pk=pk)
        serializer = self.body(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = type(self).decide(
            actor=request.user, application=application,
            comment=serializer.validated_data["comment"],
        )  # fmt: skip
        return Response(LossApplicationOutSerializer(application).data)


class LossApproveApi(_LossDecisionApi):
    decide = staticmethod(loss.loss_approve)

    @extend_schema(request=LossDecisionInSerializer, responses=LossApplicationOutSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)


class LossRejectApi(_LossDecisionApi):
    decide = staticmethod(loss.loss_reject)
    body = LossRejectInSerializer

    @extend_schema(request=LossRejectInSerializer, responses=LossApplicationOutSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)
