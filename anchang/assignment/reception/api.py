"""Reception through the API: the desk's state, a walk-in, signing in, the roster's states,
a skip, the day's ledger and the fairness figures. The same services as the pages."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.assignment import policies
from anchang.assignment.reception import selectors, services
from anchang.assignment.reception.serializers import (
    DeskSerializer,
    DutyEntrySerializer,
    DutySetInSerializer,
    FairnessRowSerializer,
    SignInInSerializer,
    SkipInSerializer,
    TurnEntrySerializer,
    WalkInInSerializer,
    WalkInSerializer,
)
from anchang.dates import parse_day
from anchang.errors import PermissionDenied, ValidationFailed
from anchang.ids import parse_choice
from anchang.org.selectors import user_named

PROJECT = OpenApiParameter("project", OpenApiTypes.INT, description="project id")
DAY = OpenApiParameter("day", OpenApiTypes.DATE, description="the project's day; today if left out")
DAYS = OpenApiParameter("days", OpenApiTypes.INT, enum=[7, 14, 31], description="7 by default")


def _project(request, raw):
    return selectors.reception_project(request.user, raw)


def _ensure_desk(request, project) -> None:
    if not policies.can_run_desk(actor=request.user, project=project):
        raise PermissionDenied()


class DeskApi(APIView):
    """The desk's screen: today's roster, whose turn a new visitor is, the latest entries."""

    @extend_schema(parameters=[PROJECT], responses=DeskSerializer)
    def get(self, request):
        project = _project(request, request.query_params.get("project"))
        context = {"request": request}
        return Response(DeskSerializer(selectors.desk(project), context=context).data)


class WalkInApi(APIView):
    """A visitor at the desk: to their owner, a stand-in for an absent owner, or whoever's
    turn it is (skips on the way are in `skipped`). 409 `nobody_free` when nobody is."""

    @extend_schema(request=WalkInInSerializer, responses={201: WalkInSerializer})
    def post(self, request):
        data = WalkInInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        project = _project(request, values.pop("project"))
        taken = services.walk_in_take(actor=request.user, project=project, **values)
        body = WalkInSerializer(taken, context={"request": request}).data
        return Response(body, status=status.HTTP_200_OK if taken.replayed else 201)


class SignInApi(APIView):
    """签到: yourself, or (at the desk) a consultant of the project."""

    @extend_schema(request=SignInInSerializer, responses={201: DutyEntrySerializer})
    def post(self, request):
        data = SignInInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        project = _project(request, values["project"])
        consultant = user_named(values.get("consultant")) or request.user
        start, end = values.get("slot_start"), values.get("slot_end")
        entry = services.duty_sign_in(
            actor=request.user, project=project, consultant=consultant,
            slot=(start, end) if start or end else None,
        )  # fmt: skip
        return Response(DutyEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class DutyApi(APIView):
    """Free, with a visitor, away or signed out; `version` makes a stale change a 409."""

    @extend_schema(request=DutySetInSerializer, responses=DutyEntrySerializer)
    def post(self, request, pk: int):
        entry = selectors.duty_entry_get(actor=request.user, pk=pk)
        data = DutySetInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.duty_set(actor=request.user, entry=entry, **data.validated_data)
        return Response(DutyEntrySerializer(entry).data)


class SkipApi(APIView):
    """轮空 by hand: the consultant whose turn it was did not come."""

    @extend_schema(request=SkipInSerializer, responses={201: TurnEntrySerializer})
    def post(self, request):
        data = SkipInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        project = _project(request, values["project"])
        skip = services.turn_skip(
            actor=request.user, project=project, consultant=user_named(values["consultant"]),
            reason=values["reason"],
        )  # fmt: skip
        body = TurnEntrySerializer(skip, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class LedgerApi(APIView):
    """The day's reception ledger (接待台账), in order."""

    @extend_schema(parameters=[PROJECT, DAY], responses=TurnEntrySerializer(many=True))
    def get(self, request):
        project = _project(request, request.query_params.get("project"))
        _ensure_desk(request, project)
        raw = request.query_params.get("day") or ""
        day = parse_day(raw) if raw else selectors.today_of(project, timezone.now())
        if day is None:
            raise ValidationFailed(fields={"day": _("Give a day as YYYY-MM-DD.")})
        entries = selectors.ledger(project, day)
        return Response(TurnEntrySerializer(entries, many=True, context={"request": request}).data)


class FairnessApi(APIView):
    """Turns, make-ups, skips, stand-ins and owners' visits per consultant per day."""

    @extend_schema(parameters=[PROJECT, DAYS], responses=FairnessRowSerializer(many=True))
    def get(self, request):
        project = _project(request, request.query_params.get("project"))
        _ensure_desk(request, project)
        days = parse_choice(request.query_params.get("days") or "7", selectors.FAIRNESS_DAYS)
        if days is None:
            raise ValidationFailed(fields={"days": _("Choose 7, 14 or 31 days.")})
        today = selectors.today_of(project, timezone.now())
        _dates, rows = selectors.fairness(project, until=today, days=days)
        return Response([
            {"consultant": r.consultant.pk, "consultant_name": r.consultant.name,
             "days": {d.isoformat(): counts for d, counts in r.days.items()},
             "totals": r.totals}
            for r in rows
        ])  # fmt: skip
