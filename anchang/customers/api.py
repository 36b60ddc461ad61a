"""Customer endpoints: thin doors onto customers.selectors and customers.services."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.customers import selectors, services
from anchang.customers.serializers import (
    CustomerOutSerializer,
    CustomerPatchSerializer,
    CustomerReassignSerializer,
)


class CustomerListApi(generics.ListAPIView):
    serializer_class = CustomerOutSerializer

    def get_queryset(self):
        return selectors.customer_list(self.request.user)


class CustomerDetailApi(APIView):
    @extend_schema(responses=CustomerOutSerializer)
    def get(self, request, pk: int):
        customer = selectors.customer_get_visible(actor=request.user, pk=pk)
        return Response(CustomerOutSerializer(customer, context={"request": request}).data)

    @extend_schema(request=CustomerPatchSerializer, responses=CustomerOutSerializer)
    def patch(self, request, pk: int):
        customer = selectors.customer_get_visible(actor=request.user, pk=pk)
        serializer = CustomerPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        customer = services.customer_update(
            actor=request.user, customer=customer, changes=data, version=version, request=request
        )
        return Response(CustomerOutSerializer(customer, context={"request": request}).data)


class CustomerReassignApi(APIView):
    @extend_schema(request=CustomerReassignSerializer, responses=CustomerOutSerializer)
    def post(self, request, pk: int):
        customer = selectors.customer_get_visible(actor=request.user, pk=pk)
        serializer = CustomerReassignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = services.customer_reassign(
            actor=request.user,
            customer=customer,
            new_owner_id=data["owner"],
            reason=data["reason"],
            version=data.get("version"),
            request=request,
        )
        return Response(CustomerOutSerializer(customer, context={"request": request}).data)


class CustomerExportApi(APIView):
    @extend_schema(
        responses={(status.HTTP_200_OK, "text/csv"): OpenApiResponse(description="CSV file")}
    )
    def get(self, request):
        content, _count = services.customers_export(actor=request.user, request=request)
        return csv_response(content)


def csv_response(content: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
    return response
