"""Assignment and handover through the API: the queue, lapsed customers, a bulk assignment
and a leaver's handover (with its preview). The same services as the pages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.assignment.handover import selectors, services
from anchang.assignment.handover.serializers import (
    AssignInSerializer,
    HandoverInSerializer,
    QueueCustomerSerializer,
    SpreadOutSerializer,
)
from anchang.dates import local_date
from anchang.errors import ValidationFailed
from anchang.ids import parse_choice, parse_id
from anchang.org.selectors import project_rules, user_named

PROJECT = OpenApiParameter("project", OpenApiTypes.INT, description="project id")
DAYS = OpenApiParameter("days", OpenApiTypes.INT, enum=list(selectors.OVERDUE_DAYS),
                        description="more than this many days late; 7 by default")  # fmt: skip
OWNER = OpenApiParameter("owner", OpenApiTypes.INT, description="the owner's user id")


def _out(plan, *, preview: bool) -> dict:
    return {
        "moved": sum(len(ids) for ids in plan.to.values()),
        "to": {str(pk): ids for pk, ids in plan.to.items()},
        "left": list(plan.left), "preview": preview,
    }  # fmt: skip


class QueueApi(APIView):
    """待分配: customers nobody owns and who were never pooled, the oldest first (500 at most)."""

    @extend_schema(parameters=[PROJECT], responses=QueueCustomerSerializer(many=True))
    def get(self, request):
        project = selectors.assigning_project(request.user, request.query_params.get("project"))
        today = local_date(project_rules(project).tz)
        rows = selectors.listed(selectors.queue(request.user, project), today)
        return Response(QueueCustomerSerializer(rows, many=True).data)


class LapsedApi(APIView):
    """跟进不力: customers in play whose next follow-up is more than `days` late."""

    @extend_schema(parameters=[PROJECT, DAYS, OWNER], responses=QueueCustomerSerializer(many=True))
    def get(self, request):
        project = selectors.assigning_project(request.user, request.query_params.get("project"))
        days = parse_choice(request.query_params.get("days") or "7", selectors.OVERDUE_DAYS)
        if days is None:
            raise ValidationFailed(fields={"days": _("Choose 3, 7, 14 or 30 days.")})
        owner = request.query_params.get("owner")
        owner_id = None
        if owner:
            owner_id = parse_id(owner)
            if owner_id is None:
                raise ValidationFailed(fields={"owner": _("Give a user id.")})
        today = local_date(project_rules(project).tz)
        lapsed = selectors.lapsed(request.user, project, today=today, days=days,
                                  owner_id=owner_id)  # fmt: skip
        rows = selectors.listed(lapsed, today)
        return Response(QueueCustomerSerializer(rows, many=True).data)


class AssignApi(APIView):
    """Give customers to colleagues by a rule: all, or none with the reason (400 `hold_cap`
    when the colleagues cannot take them all under the cap and no `over_cap` reason)."""

    @extend_schema(request=AssignInSerializer, responses=SpreadOutSerializer)
    def post(self, request):
        data = AssignInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        project = selectors.assigning_project(request.user, values["project"])
        wanted = set(values["customers"])
        customers = list(
            selectors.reassignable(request.user, project).filter(pk__in=wanted).order_by("id")
        )
        if len(customers) != len(wanted):
            # one answer for another project's, a hidden one and an id nobody has
            raise ValidationFailed(
                fields={"customers": _("Some of these customers cannot be assigned here.")}
            )
        plan = services.customers_spread(
            actor=request.user, project=project, customers=customers,
            to=[user_named(pk) for pk in values["to"]], how=values["how"],
            reason=values["reason"], over_cap=values.get("over_cap", ""),
        )  # fmt: skip
        return Response(_out(plan, preview=False))


class HandoverApi(APIView):
    """离职交接: every customer the leaver holds in the project, balanced over `to`;
    `preview: true` answers the plan and moves nothing."""

    @extend_schema(request=HandoverInSerializer, responses=SpreadOutSerializer)
    def post(self, request):
        data = HandoverInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        project = selectors.assigning_project(request.user, values["project"])
        leaver = next((u for u in selectors.owners_with_customers(project)
                       if u.pk == values["leaver"]), None)  # fmt: skip
        if leaver is None:
            raise ValidationFailed(fields={"leaver": _("Not a colleague of this project.")})
        to = [user_named(pk) for pk in values["to"]]
        if values["preview"]:
            customers = list(selectors.held_by(request.user, project, leaver.pk))
            plan = services.plan(
                actor=request.user, project=project, customers=customers, to=to,
                how=values["how"], over_cap=bool(values.get("over_cap", "").strip()),
                exclude=leaver.pk,
            )  # fmt: skip
            return Response(_out(plan, preview=True))
        plan = services.handover(
            actor=request.user, project=project, leaver=leaver, to=to, how=values["how"],
            reason=values["reason"], over_cap=values.get("over_cap", ""),
        )  # fmt: skip
        return Response(_out(plan, preview=False))
