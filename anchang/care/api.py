"""Owner care's endpoints: a customer's messages (POST sends one), their consent, the
templates one may send. The same selectors and services as the pages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.care import selectors, services
from anchang.care.models import Message
from anchang.care.serializers import (
    ConsentInSerializer,
    ConsentSerializer,
    MessageBatchDecideInSerializer,
    MessageBatchDetailSerializer,
    MessageBatchInSerializer,
    MessageBatchSerializer,
    MessageInSerializer,
    MessageSerializer,
    PreviewSerializer,
    TemplateSerializer,
)
from anchang.customers.selectors import customer_get_visible
from anchang.errors import ValidationFailed

LIST_MAX = 100


class CustomerMessagesApi(APIView):
    """A customer's messages and replies, newest first (the latest 100); POST queues an SMS
    to them in the caller's own name."""

    @extend_schema(responses=MessageSerializer(many=True))
    def get(self, request, pk: int):
        customer = customer_get_visible(actor=request.user, pk=pk)
        rows = Message.objects.filter(customer=customer).select_related("sender")
        rows = rows.order_by("-created_at", "-id")[:LIST_MAX]
        return Response(MessageSerializer(rows, many=True).data)

    @extend_schema(request=MessageInSerializer, responses={201: MessageSerializer})
    def post(self, request, pk: int):
        customer = customer_get_visible(actor=request.user, pk=pk)
        serializer = MessageInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        template = selectors.template_get(project_id=customer.project_id, pk=data["template"])
        message = services.message_queue(
            actor=request.user, customer=customer, template=template, params=data["params"],
            send_at=data["send_at"], key=data.get("idempotency_key") or None,
        )  # fmt: skip
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class CustomerConsentApi(APIView):
    """The customer's consent per purpose (absent: never asked); PUT records an answer."""

    @extend_schema(responses=ConsentSerializer(many=True))
    def get(self, request, pk: int):
        customer = customer_get_visible(actor=request.user, pk=pk)
        rows = sorted(selectors.customer_consents(customer).values(), key=lambda c: c.purpose)
        return Response(ConsentSerializer(rows, many=True).data)

    @extend_schema(request=ConsentInSerializer, responses=ConsentSerializer)
    def put(self, request, pk: int):
        customer = customer_get_visible(actor=request.user, pk=pk)
        serializer = ConsentInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = services.consent_set(actor=request.user, customer=customer,
                                       **serializer.validated_data)  # fmt: skip
        return Response(ConsentSerializer(consent).data)


class TemplateListApi(APIView):
    """The SMS templates of a project where the caller sends messages."""

    @extend_schema(
        parameters=[OpenApiParameter("project", int, required=True)],
        responses=TemplateSerializer(many=True),
    )
    def get(self, request):
        project = request.query_params.get("project", "")
        if not project.isdecimal() or len(project) > 18:
            raise ValidationFailed(fields={"project": _("Choose a project.")})
        rows = selectors.templates_sendable(request.user, project_id=int(project))
        return Response(TemplateSerializer(rows, many=True).data)


def _batch_args(request) -> tuple[dict, object, object]:
    serializer = MessageBatchInSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    project = selectors.batch_project(request.user, data.pop("project"))
    template = selectors.template_get(project_id=project.pk, pk=data.pop("template"))
    return data, project, template


class BatchListApi(APIView):
    """The batches (群发) of the projects where the caller builds or approves them, newest
    first (the latest 100); POST creates one (above the project's threshold it waits for a
    manager)."""

    @extend_schema(responses=MessageBatchSerializer(many=True))
    def get(self, request):
        rows = selectors.batches_for(request.user)[:LIST_MAX]
        return Response(MessageBatchSerializer(rows, many=True).data)

    @extend_schema(request=MessageBatchInSerializer, responses={201: MessageBatchSerializer})
    def post(self, request):
        data, project, template = _batch_args(request)
        batch = services.batch_create(
            actor=request.user, project=project, template=template, title=data["title"],
            params=data["params"], audience=data["audience"], send_at=data["send_at"],
            key=data.get("idempotency_key") or None,
        )  # fmt: skip
        return Response(MessageBatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class BatchPreviewApi(APIView):
    """Who a batch would reach and who not, and why, and its text; nothing is queued."""

    @extend_schema(request=MessageBatchInSerializer, responses=PreviewSerializer)
    def post(self, request):
        data, project, template = _batch_args(request)
        preview = services.batch_preview(
            actor=request.user, project=project, template=template, params=data["params"],
            audience=data["audience"], send_at=data["send_at"],
        )  # fmt: skip
        return Response(PreviewSerializer(preview).data)


class BatchDetailApi(APIView):
    @extend_schema(responses=MessageBatchDetailSerializer)
    def get(self, request, pk: int):
        batch = selectors.batch_get(request.user, pk)
        batch.counts = selectors.batch_counts(batch)
        return Response(MessageBatchDetailSerializer(batch).data)


class BatchDecideApi(APIView):
    """A manager approves or rejects a batch waiting for approval (not their own)."""

    @extend_schema(request=MessageBatchDecideInSerializer, responses=MessageBatchSerializer)
    def post(self, request, pk: int):
        batch = selectors.batch_get(request.user, pk)
        serializer = MessageBatchDecideInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        batch = services.batch_decide(actor=request.user, batch=batch, **serializer.validated_data)
        return Response(MessageBatchSerializer(batch).data)
