"""Customer endpoints: thin doors onto customers.selectors and customers.services."""

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.api.openapi import WholeBodyPatchSchema
from anchang.customers import selectors, services
from anchang.customers.filters import CustomerFilter
from anchang.customers.models import Customer, KeyDate, Medium, OwnershipConflict
from anchang.customers.serializers import (
    FIRST_VISIT_FIELDS,
    ConflictDecideInSerializer,
    ConflictOutSerializer,
    CustomerListSerializer,
    CustomerOutSerializer,
    CustomerPatchSerializer,
    CustomerReassignSerializer,
    KeyDateInSerializer,
    KeyDateOutSerializer,
    MediumInSerializer,
    MediumOutSerializer,
    MediumPatchSerializer,
    RegistrationInSerializer,
    RegistrationOutSerializer,
    RevealInSerializer,
    RevealOutSerializer,
)
from anchang.customers.services.bulk_reads import list_read_record
from anchang.errors import ValidationFailed
from anchang.lookups import get_in_scope
from anchang.org.selectors import visible_projects

# The ids the list filters by, typed as ids in the schema whatever the FilterSet's field.
ID_FILTERS = [
    OpenApiParameter(name, OpenApiTypes.INT, description=description)
    for name, description in (("owner", "owner's user id"), ("medium", "awareness medium id"))
]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CustomerListApi(generics.ListAPIView):
    """Customers you may list; `q` searches name, pinyin, phone or its last 4 digits;
    `modified_since` (ISO 8601) gives those changed since, to sync without full scans."""

    serializer_class = CustomerListSerializer
    filterset_class = CustomerFilter

    def get_queryset(self):
        return selectors.customer_list(self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        list_read_record(actor=self.request.user, customers=page or (), door="api")
        return page

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
            actor=request.user, customer=customer, changes=data, version=version
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
            actor=request.user, filters=request.query_params
        )
        return csv_response(content)


class CustomerExportXlsxApi(CustomerExportApi):
    """The same customers as an .xlsx workbook (streamed; formulas neutralised)."""

    @extend_schema(
        parameters=ID_FILTERS,
        responses={
            (status.HTTP_200_OK, XLSX): OpenApiResponse(
                response=OpenApiTypes.BINARY, description=".xlsx file"
            )
        },
    )
    def get(self, request, *args, **kwargs):
        out, _count = services.customers_export_xlsx(
            actor=request.user, filters=request.query_params
        )
        return xlsx_response(out, "customers")


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
        )  # fmt: skip
        body = {
            "outcome": result.outcome,
            "message": result.message,
            "registration": result.registration.pk,
            "customer": result.customer.pk if result.customer else None,
            "is_late": result.registration.is_late,
        }
        return Response(RegistrationOutSerializer.represent(body), status=status.HTTP_201_CREATED)


def _media(actor):
    return Medium.objects.filter(project__in=visible_projects(actor)).order_by(
        "project_id", "sort_order", "id"
    )


class MediumListApi(APIView):
    """The awareness-media catalogue of your projects; POST adds one (planners and
    managers of the project, as on the media page)."""

    @extend_schema(responses=MediumOutSerializer(many=True))
    def get(self, request):
        return Response(MediumOutSerializer(_media(request.user), many=True).data)

    @extend_schema(request=MediumInSerializer, responses={201: MediumOutSerializer})
    def post(self, request):
        serializer = MediumInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        project = visible_projects(request.user).filter(pk=data["project"]).first()
        if project is None:
            raise ValidationFailed(fields={"project": _("Choose one of your projects.")})
        medium = services.medium_create(
            actor=request.user, project=project, name=data["name"], kind=data["kind"]
        )
        return Response(MediumOutSerializer(medium).data, status=status.HTTP_201_CREATED)


class MediumDetailApi(APIView):
    schema = WholeBodyPatchSchema()

    @extend_schema(request=MediumPatchSerializer, responses=MediumOutSerializer)
    def patch(self, request, pk: int):
        """Rename, re-class or retire (`is_active: false`) a medium; customers keep it."""
        medium = get_in_scope(_media(request.user).select_related("project"), pk)
        serializer = MediumPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        medium = services.medium_update(
            actor=request.user, medium=medium, name=data.get("name", medium.name),
            kind=data.get("kind", medium.kind), is_active=data.get("is_active", medium.is_active),
        )  # fmt: skip
        return Response(MediumOutSerializer(medium).data)


class ConflictListApi(generics.ListAPIView):
    """Open ownership conflicts (撞单) in the projects where you may reassign customers,
    newest first, paged; POST …/decide/ decides one."""

    serializer_class = ConflictOutSerializer
    queryset = OwnershipConflict.objects.none()  # the schema's model

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return OwnershipConflict.objects.none()
        return selectors.open_conflicts(self.request.user)


class ConflictDecideApi(APIView):
    @extend_schema(request=ConflictDecideInSerializer, responses=ConflictOutSerializer)
    def post(self, request, pk: int):
        """Keep the owner or transfer the customer to the claimant (the conflicts page's
        decision, through the same service)."""
        conflict = selectors.conflict_get(actor=request.user, pk=pk)
        serializer = ConflictDecideInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        conflict = services.conflict_resolve(
            actor=request.user, conflict=conflict, **serializer.validated_data
        )
        return Response(ConflictOutSerializer(conflict).data)


class KeyDateListApi(APIView):
    """A customer's key care dates (family birthdays, anniversaries…); POST adds one."""

    @extend_schema(responses=KeyDateOutSerializer(many=True))
    def get(self, request, pk: int):
        customer = selectors.customer_get_visible(actor=request.user, pk=pk)
        rows = customer.key_dates.order_by("date", "id")
        return Response(KeyDateOutSerializer(rows, many=True).data)

    @extend_schema(request=KeyDateInSerializer, responses={201: KeyDateOutSerializer})
    def post(self, request, pk: int):
        customer = selectors.customer_get_visible(actor=request.user, pk=pk)
        serializer = KeyDateInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        key_date = services.key_date_add(
            actor=request.user, customer=customer, kind=data["kind"], when=data["date"],
            note=data["note"],
        )  # fmt: skip
        return Response(KeyDateOutSerializer(key_date).data, status=status.HTTP_201_CREATED)


class KeyDateDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, key_date_pk: int):
        customer = selectors.customer_get_visible(actor=request.user, pk=pk)
        key_date = get_in_scope(KeyDate.objects.filter(customer=customer), key_date_pk)
        services.key_date_remove(actor=request.user, key_date=key_date)
        return Response(status=status.HTTP_204_NO_CONTENT)


def xlsx_response(out, name: str) -> FileResponse:
    """An .xlsx in a temporary file, streamed to the client and closed after."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(out, as_attachment=True, filename=f"{name}-{stamp}.xlsx",
                        content_type=XLSX)  # fmt: skip


def csv_response(content: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
    return response
