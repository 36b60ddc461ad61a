"""Deal endpoints: the board, units, deals and their stages, collections and approvals. The
same selectors and services as the pages."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.customers.selectors import customer_get_visible
from anchang.customers.services.bulk_reads import list_read_record
from anchang.deals import policies, selectors, services
from anchang.deals.filters import DealFilter
from anchang.deals.models import Approval, ContractForm, Deal, Dispatch, Unit
from anchang.deals.serializers import (
    ApprovalSerializer,
    BoardSerializer,
    ContractFormSerializer,
    DealDetailSerializer,
    DealSerializer,
    DecideInSerializer,
    DispatchDecideInSerializer,
    DispatchSerializer,
    FormsMoveInSerializer,
    FormsReceiveInSerializer,
    HoldInSerializer,
    MoveInSerializer,
    PlanInSerializer,
    ReceiptInSerializer,
    ReceiptSerializer,
    RefundInSerializer,
    RefuseOrderInSerializer,
    RequestInSerializer,
    SubscribeInSerializer,
    UnitSerializer,
    UnitSheetInSerializer,
    UnitSheetResultSerializer,
)
from anchang.deals.services import contract_forms
from anchang.errors import PermissionDenied, ValidationFailed
from anchang.ids import parse_id
from anchang.org.models import User
from anchang.org.selectors import user_named

PROJECT = OpenApiParameter("project", OpenApiTypes.INT, description="project id")
BUILDING = OpenApiParameter("building", OpenApiTypes.INT, description="building id")
DEAL_ID_FILTERS = [
    OpenApiParameter(name, OpenApiTypes.INT, description=description)
    for name, description in (
        ("project", "project id"), ("consultant", "credited consultant's user id"),
        ("building", "building id"),
    )
]  # fmt: skip


def _ensure_page(user: User) -> None:
    if not policies.board_project_ids(user):
        raise PermissionDenied()


def _project(request):
    ids = policies.board_project_ids(request.user)
    if not ids:
        raise PermissionDenied()
    wanted = request.query_params.get("project")
    if wanted is None:
        return selectors.board_projects(request.user)[0]
    number = parse_id(wanted)
    if number is None:
        raise ValidationFailed(fields={"project": _("Give a project id.")})
    return selectors.board_project(request.user, number)


class BoardApi(APIView):
    """销控表: one building's units with their status (or the project's stock, without a
    building), and the count per status. Poll it during an opening."""

    @extend_schema(parameters=[PROJECT, BUILDING], responses=BoardSerializer)
    def get(self, request):
        project = _project(request)
        building = None
        wanted = request.query_params.get("building")
        if wanted is not None:
            number = parse_id(wanted)
            if number is None:
                raise ValidationFailed(fields={"building": _("Give a building id.")})
            building = next((b for b in selectors.buildings(project) if b.pk == number), None)
            if building is None:
                raise Http404
        board = selectors.board(actor=request.user, project=project, building=building)
        cells = (
            board.cells if building is None else [c for _f, row in board.floors for c in row if c]
        )
        data = {"project": project.pk, "building": getattr(building, "pk", None),
                "counts": board.counts, "units": cells}  # fmt: skip
        return Response(BoardSerializer(data).data)


def _unit_context(user: User) -> dict:
    scope = policies.deal_scope(user, "catalogue")
    return {"floor_price_projects": (scope.whole | scope.own) if scope else frozenset()}


class UnitListApi(generics.ListAPIView):
    """The units of a project whose board you open: flats, vehicles, packages."""

    serializer_class = UnitSerializer
    queryset = Unit.objects.none()
    filterset_class = None

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **_unit_context(self.request.user)}

    @extend_schema(parameters=[PROJECT, BUILDING])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Unit.objects.none()
        project = _project(self.request)
        units = Unit.objects.filter(project=project)
        wanted = self.request.query_params.get("building")
        if wanted is not None:
            number = parse_id(wanted)
            if number is None:
                raise ValidationFailed(fields={"building": _("Give a building id.")})
            units = units.filter(building_id=number)
        return units


class UnitDetailApi(APIView):
    @extend_schema(responses=UnitSerializer)
    def get(self, request, pk: int):
        unit = selectors.unit_get(actor=request.user, pk=pk)
        return Response(UnitSerializer(unit, context=_unit_context(request.user)).data)


class UnitHoldApi(APIView):
    """锁定: hold a unit for a customer you may sell to (409 when it is taken)."""

    @extend_schema(request=HoldInSerializer, responses=UnitSerializer)
    def post(self, request, pk: int):
        unit = selectors.unit_get(actor=request.user, pk=pk)
        data = HoldInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = customer_get_visible(actor=request.user, pk=data.validated_data["customer"])
        unit = services.unit_hold(actor=request.user, unit=unit, customer=customer)
        return Response(UnitSerializer(unit, context=_unit_context(request.user)).data)


class UnitReleaseApi(APIView):
    @extend_schema(request=None, responses=UnitSerializer)
    def post(self, request, pk: int):
        unit = selectors.unit_get(actor=request.user, pk=pk)
        unit = services.unit_release(actor=request.user, unit=unit)
        return Response(UnitSerializer(unit, context=_unit_context(request.user)).data)


class DealListApi(generics.ListCreateAPIView):
    """Deals you may read, newest first (GET), filtered like the page; subscribe a customer
    (POST: the deal's first stage; 409 when the unit is taken)."""

    serializer_class = DealSerializer
    filterset_class = DealFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Deal.objects.none()
        return selectors.deals_for(self.request.user, "view").select_related("unit", "customer")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        list_read_record(
            actor=self.request.user, customers=[d.customer for d in page or ()], door="api"
        )
        return page

    @extend_schema(parameters=DEAL_ID_FILTERS)
    def get(self, request, *args, **kwargs):
        _ensure_page(request.user)
        return super().get(request, *args, **kwargs)

    @extend_schema(request=SubscribeInSerializer, responses={201: DealDetailSerializer})
    def post(self, request, *args, **kwargs):
        _ensure_page(request.user)
        data = SubscribeInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        customer = customer_get_visible(actor=request.user, pk=values.pop("customer"))
        unit = package = None
        if unit_id := values.pop("unit", None):
            unit = selectors.unit_get(actor=request.user, pk=unit_id)
        if package_id := values.pop("package", None):
            package = selectors.unit_get(actor=request.user, pk=package_id)
        key = values.pop("idempotency_key", "")
        # the service decides who may be credited or stand in
        consultant, stand_in = (user_named(values.pop(f, None)) for f in ("credit_to", "stand_in"))
        values["loan_years"] = values.get("loan_years") or None
        deal = services.deal_subscribe(
            actor=request.user, customer=customer, unit=unit, package=package,
            consultant=consultant, stand_in=stand_in, data=services.DealInput(**values),
            idempotency_key=key,
        )  # fmt: skip
        return Response(DealDetailSerializer(deal).data, status=status.HTTP_201_CREATED)


class DealDetailApi(APIView):
    @extend_schema(responses=DealDetailSerializer)
    def get(self, request, pk: int):
        deal = selectors.deal_get(actor=request.user, pk=pk)
        return Response(DealDetailSerializer(deal).data)


class DealMoveApi(APIView):
    """Move the deal to the next stage its trade's table allows (400 otherwise)."""

    @extend_schema(request=MoveInSerializer, responses=DealDetailSerializer)
    def post(self, request, pk: int):
        deal = selectors.deal_get(actor=request.user, pk=pk)
        data = MoveInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deal = services.deal_move(actor=request.user, deal=deal, **data.validated_data)
        return Response(DealDetailSerializer(deal).data)


class DealRequestApi(APIView):
    """Ask for a cancellation or a side move (change of unit, name, signing date)."""

    @extend_schema(request=RequestInSerializer, responses={201: ApprovalSerializer})
    def post(self, request, pk: int):
        deal = selectors.deal_get(actor=request.user, pk=pk)
        data = RequestInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        kind = values.pop("kind")
        if kind == "cancel":
            approval = services.deal_cancel_request(
                actor=request.user, deal=deal, reason=values["reason"]
            )
        else:
            unit = None
            if unit_id := values.pop("unit", None):
                unit = selectors.unit_get(actor=request.user, pk=unit_id)
            approval = services.deal_side_request(
                actor=request.user, deal=deal, kind=kind, unit=unit, **values
            )
        return Response(ApprovalSerializer(approval).data, status=status.HTTP_201_CREATED)


class DealReceiptsApi(APIView):
    """回款: the deal's receipts (GET); record one (POST, never beyond what is outstanding)."""

    @extend_schema(responses=ReceiptSerializer(many=True))
    def get(self, request, pk: int):
        deal = selectors.deal_get(actor=request.user, pk=pk)
        return Response(ReceiptSerializer(selectors.deal_receipts(deal), many=True).data)

    @extend_schema(request=ReceiptInSerializer, responses={201: ReceiptSerializer})
    def post(self, request, pk: int):
        deal = selectors.deal_get(actor=request.user, pk=pk)
        data = ReceiptInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        key = values.pop("idempotency_key", "")
        receipt = services.receipt_record(actor=request.user, deal=deal, idempotency_key=key,
                                          **values)  # fmt: skip
        return Response(ReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)


class DealPlanApi(APIView):
    """The payment plan, replaced whole."""

    @extend_schema(request=PlanInSerializer, responses=DealDetailSerializer)
    def put(self, request, pk: int):
        deal = selectors.deal_get(actor=request.user, pk=pk)
        data = PlanInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lines = [services.PlanLineInput(**line) for line in data.validated_data["lines"]]
        deal = services.plan_set(actor=request.user, deal=deal, lines=lines)
        return Response(DealDetailSerializer(deal).data)


class DealRefundApi(APIView):
    @extend_schema(request=RefundInSerializer, responses={201: ApprovalSerializer})
    def post(self, request, pk: int):
        deal = selectors.deal_get(actor=request.user, pk=pk)
        data = RefundInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approval = services.refund_request(actor=request.user, deal=deal, **data.validated_data)
        return Response(ApprovalSerializer(approval).data, status=status.HTTP_201_CREATED)


class _ShortList(generics.ListAPIView):
    """A short list read whole (the selector bounds it): no pages, no filters."""

    pagination_class = None
    filterset_class = None

    def rows(self) -> list:
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return self.rows()


class ApprovalListApi(_ShortList):
    """What waits for your decision, oldest first."""

    serializer_class = ApprovalSerializer
    queryset = Approval.objects.none()

    def rows(self):
        return selectors.pending_approvals(self.request.user)


class ApprovalDecideApi(APIView):
    @extend_schema(request=DecideInSerializer, responses=ApprovalSerializer)
    def post(self, request, pk: int):
        approval = selectors.approval_get_decidable(request.user, pk)
        data = DecideInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approval = services.approval_decide(
            actor=request.user, approval=approval,
            approve=data.validated_data["decision"] == "approve",
            comment=data.validated_data["comment"],
        )  # fmt: skip
        return Response(ApprovalSerializer(approval).data)


class CollectionsApi(_ShortList):
    """Deals with a payment overdue, the longest overdue first (50 at most)."""

    serializer_class = DealSerializer
    queryset = Deal.objects.none()

    def rows(self):
        _ensure_page(self.request.user)
        rows = selectors.overdue_collections(
            self.request.user, today=selectors.actor_today(self.request.user)
        )
        list_read_record(actor=self.request.user, customers=[d.customer for d in rows], door="api")
        return rows


class DispatchListApi(_ShortList):
    """派单: orders waiting for a designer in the deals you approve, oldest first."""

    serializer_class = DispatchSerializer
    queryset = Dispatch.objects.none()

    def rows(self):
        return selectors.dispatch_queue(self.request.user)


class DispatchDecideApi(APIView):
    """Confirm the proposed designer, or give the order to another with a note (409 when
    that designer is at the cap, paused or not converting)."""

    @extend_schema(request=DispatchDecideInSerializer, responses=DispatchSerializer)
    def post(self, request, pk: int):
        dispatch = selectors.dispatch_get_open(request.user, pk)
        data = DispatchDecideInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        designer = user_named(data.validated_data.get("assign_to"))  # the service checks
        dispatch = services.dispatch_decide(
            actor=request.user, dispatch=dispatch, designer=designer,
            note=data.validated_data["note"],
        )  # fmt: skip
        return Response(DispatchSerializer(dispatch).data)


class DealRefuseOrderApi(APIView):
    """The order's designer gives it back with a reason (and pauses)."""

    @extend_schema(request=RefuseOrderInSerializer, responses={201: DispatchSerializer})
    def post(self, request, pk: int):
        deal = selectors.deal_get(actor=request.user, pk=pk)
        data = RefuseOrderInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refused = services.dispatch_refuse(
            actor=request.user, deal=deal, note=data.validated_data["note"]
        )
        return Response(DispatchSerializer(refused).data, status=status.HTTP_201_CREATED)


def _forms_project(request, pk):
    project = selectors.board_project(request.user, pk)
    contract_forms.ensure_can_keep_forms(request.user, project)
    return project


class ContractFormListApi(APIView):
    """合同文本: a project's forms and where each is (GET); receive numbered forms (POST)."""

    @extend_schema(parameters=[PROJECT], responses=ContractFormSerializer(many=True))
    def get(self, request):
        number = parse_id(request.query_params.get("project", ""))
        if number is None:
            raise ValidationFailed(fields={"project": _("Give a project id.")})
        project = _forms_project(request, number)
        forms = ContractForm.objects.filter(project=project).order_by("number")[:5000]
        return Response(ContractFormSerializer(forms, many=True).data)

    @extend_schema(
        request=FormsReceiveInSerializer, responses={201: ContractFormSerializer(many=True)}
    )
    def post(self, request):
        data = FormsReceiveInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        project = _forms_project(request, values.pop("project"))
        forms = services.forms_receive(actor=request.user, project=project, **values)
        return Response(
            ContractFormSerializer(forms, many=True).data, status=status.HTTP_201_CREATED
        )


class ContractFormMoveApi(APIView):
    """Issue forms to a named person, take them back signed (one, with its deal) or void, or
    pass them to finance: all the numbers move, or none (409 names those that cannot)."""

    @extend_schema(request=FormsMoveInSerializer, responses=ContractFormSerializer(many=True))
    def post(self, request):
        data = FormsMoveInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        project = _forms_project(request, values.pop("project"))
        holder, deal = user_named(values.pop("holder", None)), None  # the service checks
        if deal_id := values.pop("deal", None):
            deal = (
                selectors.deals_for(request.user, "view")
                .filter(pk=deal_id, project=project)
                .first()
            )
            if deal is None:
                raise ValidationFailed(fields={"deal": _("No such deal in this project.")})
        forms = services.forms_move(
            actor=request.user, project=project, holder=holder, deal=deal, **values
        )
        return Response(ContractFormSerializer(forms, many=True).data)


class StaleApi(_ShortList):
    """Paid and not signed for the project's days, in the projects where you approve."""

    serializer_class = DealSerializer
    queryset = Deal.objects.none()

    def rows(self):
        _ensure_page(self.request.user)
        if policies.deal_scope(self.request.user, "approve") is None:
            raise PermissionDenied()
        return selectors.stale_valuable(self.request.user)


class UnitSheetApi(APIView):
    """Unit attributes from an .xlsx sheet (multipart): 房号 and any of 户型, 建筑面积, 套内面积,
    朝向, 标准价, 底价. One bad row and nothing changes (400 names the rows); new prices
    become price changes waiting for a manager."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": UnitSheetInSerializer},
        responses=UnitSheetResultSerializer,
    )
    def post(self, request):
        data = UnitSheetInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = selectors.board_project(request.user, data.validated_data["project"])
        result = services.units_update_from_sheet(
            actor=request.user, project=project, file=data.validated_data["sheet"]
        )
        return Response(UnitSheetResultSerializer(result).data)
