"""Imports through the API (导入): upload (multipart) and read the preview, change the
mapping, commit (202: written in the background; poll the batch), download the rejects,
revert. The same services as the pages."""

from __future__ import annotations

from urllib.parse import quote

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.assignment.imports import selectors, services
from anchang.assignment.imports.serializers import (
    OUTCOMES,
    BatchSerializer,
    MappingInSerializer,
    RowSerializer,
    UploadInSerializer,
)
from anchang.errors import NotFound, PermissionDenied
from anchang.ids import parse_choice
from anchang.middleware import body_limit

PROJECT = OpenApiParameter("project", OpenApiTypes.INT, description="a project where you import")
OUTCOME = OpenApiParameter("outcome", OpenApiTypes.STR, enum=list(OUTCOMES),
                           description="only the rows of this outcome")  # fmt: skip
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LISTED = 50


def _batch(request, pk: int):
    found = selectors.batch_for(request.user, pk)
    if found is None:
        raise NotFound()
    return found


class ImportsApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(parameters=[PROJECT], responses=BatchSerializer(many=True))
    def get(self, request):
        """The project's imports, newest first (50)."""
        if not selectors.importing_projects(request.user):
            raise PermissionDenied()
        project = selectors.importing_project(request.user, request.query_params.get("project"))
        rows = selectors.batches(request.user, project).defer(None)[:LISTED]
        return Response(BatchSerializer(rows, many=True).data)

    @extend_schema(request={"multipart/form-data": UploadInSerializer},
                   responses={201: BatchSerializer})  # fmt: skip
    def post(self, request):
        """Read a file: the batch comes back with its mapping and every row's outcome counted
        (nothing is written until the commit)."""
        data = UploadInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not selectors.importing_projects(request.user):
            raise PermissionDenied()
        project = selectors.importing_project(request.user, data.validated_data["project"])
        upload = data.validated_data["file"]
        batch = services.import_upload(
            actor=request.user, project=project, kind=data.validated_data["kind"],
            file_name=upload.name, data=upload.read(),
        )  # fmt: skip
        return Response(BatchSerializer(batch).data, status=status.HTTP_201_CREATED)


ImportsView = body_limit(ImportsApi.as_view())


class ImportApi(APIView):
    @extend_schema(responses=BatchSerializer)
    def get(self, request, pk: int):
        """A batch: its step, progress (done of total) and counts by outcome."""
        return Response(BatchSerializer(_batch(request, pk)).data)

    @extend_schema(request=MappingInSerializer, responses=BatchSerializer)
    def put(self, request, pk: int):
        """Which column is which (remembered for the project's next file); previewed again."""
        data = MappingInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.import_map(
            actor=request.user, batch=_batch(request, pk), mapping=data.validated_data["mapping"],
            default_medium_id=data.validated_data.get("default_medium"),
        )  # fmt: skip
        return Response(BatchSerializer(batch).data)


class ImportRowsApi(APIView):
    @extend_schema(parameters=[OUTCOME], responses=RowSerializer(many=True))
    def get(self, request, pk: int):
        """The first 200 rows (of one outcome), each with its outcome and reason."""
        batch = _batch(request, pk)
        wanted = parse_choice(request.query_params.get("outcome"), OUTCOMES) or ""
        return Response(RowSerializer(selectors.batch_rows_shown(batch, wanted), many=True).data)


class ImportCommitApi(APIView):
    @extend_schema(request=None, responses={202: BatchSerializer})
    def post(self, request, pk: int):
        """Write the rows in the background; poll the batch for its progress."""
        batch = services.import_commit(actor=request.user, batch=_batch(request, pk))
        return Response(BatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


class ImportRevertApi(APIView):
    @extend_schema(request=None, responses=BatchSerializer)
    def post(self, request, pk: int):
        """Undo what the import created that nobody has touched since."""
        batch = services.import_revert(actor=request.user, batch=_batch(request, pk))
        return Response(BatchSerializer(batch).data)


class ImportRejectsApi(APIView):
    @extend_schema(
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, "the refused rows")}
    )
    def get(self, request, pk: int):
        """The refused rows as written, with the reason, as .xlsx (audited)."""
        batch = _batch(request, pk)
        out = services.import_rejects(actor=request.user, batch=batch)
        name = f"rejects-{batch.pk}.xlsx"
        response = FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
