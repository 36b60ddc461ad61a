"""Customer endpoints: thin doors onto customers.selectors and customers.services."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.api.schema import WholeBodyPatchSchema
from anchang.customers import selectors, services
from anchang.customers.filters import CustomerFilter
from anchang.customers.models import Customer, Medium
from anchang.customers.serializers import (
    FIRST_VISIT_FIELDS,
    CustomerListSerializer,
    CustomerOutSerializer,
    CustomerPatchSerializer,
    CustomerReassignSerializer,
    MediumOutSerializer,
    RegistrationInSerializer,
    RegistrationOutSerializer,
    RevealInSerializer,
    RevealOutSerializer,
)
from anchang.org.selectors import visible_projects

# The ids the list filters by, typed as ids in the schema whatever the FilterSet's field.
ID_FILTERS = [
    OpenApiParameter(name, OpenApiTypes.INT, description=description)
    for name, description in (("owner", "owner's user id"), ("medium", "awareness medium id"))
]


class CustomerListApi(generics.ListAPIView):
    """Customers you may list; `q` searches name, pinyin, phone or its last 4 digits;
    `modified_since` (ISO 8601) gives those changed since, to sync without full scans."""

    serializer_class = CustomerListSerializer
    filterset_class = CustomerFilter

    def get_queryset(self):
        return selectors.customer_list(self.request.user)

    @extend_schema(parameters=ID_FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CustomerDetailApi(APIView):
    schema = WholeBodyPatchSchema()  # the version read is required on PATCH

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


class CustomerRevealPhoneApi(APIView):
    @extend_schema(request=RevealInSerializer, responses=RevealOutSerializer)
    def post(self, request, pk: int):
        customer = selectors.customer_get_visible(actor=request.user, pk=pk)
        serializer = RevealInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        phone = services.phone_reveal(
            actor=request.user,
            customer=customer,
            reason=serializer.validated_data["reason"],
            request=request,
        )
        return Response({"phone": phone})


class CustomerExportApi(generics.ListAPIView):
    """The customers you may export as CSV (UTF-8 with a BOM, for Excel), filtered like
    the list."""

    filterset_class = CustomerFilter  # for the schema's parameters; the service filters
    pagination_class = None
    queryset = Customer.objects.none()

    @extend_schema(
        parameters=ID_FILTERS,
        responses={
            (status.HTTP_200_OK, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR, description="CSV file"
            )
        },
    )
    def get(self, request, *args, **kwargs):
        content, _count = services.customers_export(
            actor=request.user, request=request, filters=request.query_params
        )
        return csv_response(content)


class RegistrationApi(APIView):
    """Register a call or visit. The answer says which outcome happened; the customer id is
    given only when you may see that customer."""

    @extend_schema(request=RegistrationInSerializer, responses={201: RegistrationOutSerializer})
    def post(self, request):
        serializer = RegistrationInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.registration_submit_input(
            actor=request.user, data=data,
            profile={k: data[k] for k in FIRST_VISIT_FIELDS if data.get(k) not in (None, "")},
            idempotency_key=data.get("idempotency_key") or request.headers.get("Idempotency-Key"),
            request=request,
        )  # fmt: skip
        body = {
            "outcome": result.outcome,
            "message": result.message,
            "registration": result.registration.pk,
            "customer": result.customer.pk if result.customer else None,
            "is_late": result.registration.is_late,
        }
        return Response(RegistrationOutSerializer(body).data, status=status.HTTP_201_CREATED)


class MediumListApi(APIView):
    @extend_schema(responses=MediumOutSerializer(many=True))
    def get(self, request):
        media = Medium.objects.filter(project__in=visible_projects(request.user)).order_by(
            "project_id", "sort_order", "id"
        )
        return Response(MediumOutSerializer(media, many=True).data)


def csv_response(content: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
    return response
