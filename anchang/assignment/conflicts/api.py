"""An ownership conflict's evidence through the API (the decision is
`POST /api/v1/conflicts/{id}/decide/`, the same service as the page)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from anchang.assignment.conflicts import selectors
from anchang.assignment.conflicts.serializers import CaseSerializer


class ConflictEvidenceApi(APIView):
    """Both sides' timeline as of the claimant's registration, the outcome the project's
    ownership rule proposes, and the evidence for it."""

    @extend_schema(responses=CaseSerializer)
    def get(self, request, pk: int):
        case = selectors.case(actor=request.user, pk=pk)
        return Response(CaseSerializer(case).data)
