"""Supervisor-review endpoints (主管批示): the same services and selectors as the pages."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang import pagination as keyset
from anchang.followups.reviews import selectors as review_selectors
from anchang.followups.reviews import services as reviews
from anchang.followups.reviews.serializers import (
    ReceivedReviewsOutSerializer,
    ReviewCountsOutSerializer,
    ReviewCountsQuerySerializer,
    ReviewInSerializer,
    ReviewListQuerySerializer,
    ReviewOutSerializer,
    ReviewQueueOutSerializer,
    ReviewsDoneInSerializer,
    ReviewsDoneOutSerializer,
)
from anchang.followups.serializers import ReceivedReviewSerializer
from anchang.org import policies
from anchang.org.models import Project
from anchang.org.selectors import visible_projects

PROJECT = OpenApiParameter(
    "project", OpenApiTypes.INT, description="only this project (default: all you review)"
)


def _reviewed_project(actor, pk: int | None) -> Project | None:
    if pk is None:
        return None
    project = review_selectors.review_projects(actor).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


class ReviewListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "received",
                OpenApiTypes.BOOL,
                description="1: the comments you received (a consultant's view), newest first",
            ),  # fmt: skip
            PROJECT,
            OpenApiParameter("consultant", OpenApiTypes.INT, description="only this consultant's"),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="the last next_cursor"),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="1 to 200; default 200"),
        ],
        responses=PolymorphicProxySerializer(
            component_name="ReviewList",
            serializers={
                "queue": ReviewQueueOutSerializer,
                "received": ReceivedReviewsOutSerializer,
            },
            resource_type_field_name="kind",
        ),
    )
    def get(self, request):
        """Your review queue: follow-ups entered since your last review, oldest first, with
        their comments. `?received=1`: comments on your own follow-ups."""
        query = ReviewListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if query.validated_data["received"]:
            rows = review_selectors.received_reviews(request.user)[:100]
            body = {"kind": "received", "results": rows}
            return Response(ReceivedReviewsOutSerializer(body).data)
        policies.ensure_can_open_page(actor=request.user, page="reviews")
        project = _reviewed_project(request.user, query.validated_data.get("project"))
        data = query.validated_data
        queue = review_selectors.review_queue(
            request.user, project, after=keyset.decode(data.get("cursor")),
            consultant=data.get("consultant"), limit=data["page_size"],
        )  # fmt: skip
        body = {
            "kind": "queue", "until": queue.drawn_at, "truncated": queue.truncated,
            "waiting": queue.waiting, "waiting_capped": queue.waiting_capped,
            "next_cursor": queue.next_cursor,
            "results": queue.followups,
        }  # fmt: skip
        return Response(ReviewQueueOutSerializer(body).data)

    @extend_schema(request=ReviewInSerializer, responses={201: ReviewOutSerializer})
    def post(self, request):
        """Comment on a follow-up (managers of its project; not on your own)."""
        serializer = ReviewInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        followup = review_selectors.followup_for_review(
            actor=request.user, pk=serializer.validated_data["followup"]
        )
        review = reviews.review_comment(
            actor=request.user, followup=followup,
            comment=serializer.validated_data["comment"],
        )  # fmt: skip
        return Response(ReviewOutSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewsDoneApi(APIView):
    @extend_schema(request=ReviewsDoneInSerializer, responses=ReviewsDoneOutSerializer)
    def post(self, request):
        """Mark everything up to `until` as reviewed: the queue then starts after it."""
        serializer = ReviewsDoneInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pk = serializer.validated_data.get("project")
        project = None
        if pk is not None:
            project = visible_projects(request.user).filter(pk=pk).first()
            if project is None:
                raise Http404
        until = reviews.reviews_mark_done(
            actor=request.user, project=project, until=serializer.validated_data.get("until")
        )
        return Response(ReviewsDoneOutSerializer({"project": pk, "reviewed_until": until}).data)


class ReviewReadApi(APIView):
    @extend_schema(request=None, responses=ReceivedReviewSerializer)
    def post(self, request, pk: int):
        """ "Got it": a comment on your follow-up is read."""
        review = review_selectors.review_get_received(actor=request.user, pk=pk)
        reviews.review_mark_read(actor=request.user, review=review)
        review = review_selectors.review_get_received(actor=request.user, pk=pk)
        return Response(ReceivedReviewSerializer(review).data)


class ReviewCountsApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("days", OpenApiTypes.INT, description="1 (today) to 90; default 7"),
            PROJECT,
        ],
        responses=ReviewCountsOutSerializer,
    )
    def get(self, request):
        """Per consultant: follow-ups recorded, follow-ups commented, comments received;
        per manager: comments given; since the start of the period (local midnight)."""
        policies.ensure_can_open_page(actor=request.user, page="reviews")
        query = ReviewCountsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        days = query.validated_data["days"]
        project = _reviewed_project(request.user, query.validated_data.get("project"))
        counts = review_selectors.review_counts(
            request.user, review_selectors.period_start(days), project
        )
        body = {"since": counts.since, "days": days, "consultants": counts.consultants,
                "managers": counts.managers}  # fmt: skip
        return Response(ReviewCountsOutSerializer(body).data)
