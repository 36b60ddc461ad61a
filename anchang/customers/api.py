"""Customer endpoints: thin doors onto customers.selectors and customers.services."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.customers import selectors, services
from anchang.customers.filters import CustomerFilter
from anchang.customers.models import Medium
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
from anchang.customers.services.bulk_reads import list_read_record
from anchang.org.selectors import visible_projects


class CustomerListApi(generics.ListAPIView):
    """Customers you may list; `q` searches name, pinyin, phone or its last 4 digits."""

    serializer_class = CustomerListSerializer
    filterset_class = CustomerFilter

    def get_queryset(self):
        return selectors.customer_list(self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        list_read_record(actor=self.request.user, customers=page or (), door="api",
                         request=self.request)  # fmt: skip
        return page


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


class CustomerExportApi(APIView):
    @extend_schema(
        responses={(status.HTTP_200_OK, "text/csv"): OpenApiResponse(description="CSV file")}
    )
    def get(self, request):
        content, _count = services.customers_export(actor=request.user, request=request)
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
