"""Shared pool endpoints: the same selectors and services as the pages."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.customers.models import Customer
from anchang.errors import ValidationFailed
from anchang.ids import parse_id
from anchang.pool import selectors, services
from anchang.pool.serializers import (
    ClaimedSerializer,
    HandOutInSerializer,
    HandOutOutSerializer,
    PoolCustomerSerializer,
)


@extend_schema(
    parameters=[OpenApiParameter("project", OpenApiTypes.INT, description="one project's pool")]
)
class PoolListApi(generics.ListAPIView):
    """Customers in the pools of your projects, newest arrivals first."""

    serializer_class = PoolCustomerSerializer
    queryset = Customer.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Customer.objects.none()
        wanted = self.request.query_params.get("project")
        project = None
        if wanted is not None:
            project_id = parse_id(wanted)
            if project_id is None:
                raise ValidationFailed(fields={"project": _("Give a project id.")})
            project = selectors.pool_projects(self.request.user).filter(pk=project_id).first()
            if project is None:
                raise Http404
        return selectors.pool_customers(self.request.user, project)


class PoolClaimApi(APIView):
    @extend_schema(request=None, responses=ClaimedSerializer)
    def post(self, request, pk: int):
        customer = selectors.pool_customer_get(request.user, pk)
        customer = services.pool_claim(actor=request.user, customer=customer)
        return Response(ClaimedSerializer(customer).data)


class PoolHandOutApi(APIView):
    @extend_schema(request=HandOutInSerializer, responses=HandOutOutSerializer)
    def post(self, request):
        serializer = HandOutInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = set(serializer.validated_data["customers"])
        customers = list(selectors.pool_customers(request.user).filter(pk__in=ids))
        if len(customers) != len(ids):
            missing = sorted(ids - {c.pk for c in customers})
            raise ValidationFailed(
                fields={"customers": _("Not in a pool you can see: %(ids)s.")
                        % {"ids": ", ".join(map(str, missing[:20]))}},
            )  # fmt: skip
        n = services.pool_hand_out(
            actor=request.user, customers=customers,
            to_owner_id=serializer.validated_data["owner"],
        )  # fmt: skip
        return Response(HandOutOutSerializer({"handed_out": n}).data)
