"""One error format for every API answer: {"code", "message", "fields"}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from anchang.errors import DomainError

_CODES = {
    exceptions.ParseError: ("malformed_request", _("The request body is not valid JSON.")),
    exceptions.NotAuthenticated: ("not_authenticated", _("Log in or send an API token.")),
    exceptions.AuthenticationFailed: (
        "authentication_failed",
        _("The token or session is not valid."),
    ),
    exceptions.PermissionDenied: ("permission_denied", _("You do not have permission to do this.")),
    exceptions.NotFound: ("not_found", _("Not found.")),
    exceptions.MethodNotAllowed: ("method_not_allowed", _("This method is not allowed here.")),
    exceptions.NotAcceptable: ("not_acceptable", _("This response format is not available.")),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", _("Send JSON (application/json).")),
    exceptions.Throttled: ("throttled", _("Too many requests. Wait a moment and try again.")),
}


def _flatten_fields(detail) -> dict[str, str]:
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, message in _flatten_fields(value).items():
                    out[f"{key}.{sub}"] = message
            elif isinstance(value, list):
                out[str(key)] = " ".join(str(v) for v in value if not isinstance(v, dict))
            else:
                out[str(key)] = str(value)
        return out
    if isinstance(detail, list):
        return {"non_field_errors": " ".join(str(v) for v in detail)}
    return {"non_field_errors": str(detail)}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": str(message), "fields": fields or {}}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        fields = {k: str(v) for k, v in exc.fields.items()}
        return Response(error_body(exc.code, exc.message, fields), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("too_large", _("The request is too large.")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        return Response(error_body("bad_request", _("The request was refused.")), status=400)
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            error_body("invalid", _("Some fields are not valid."), _flatten_fields(exc.detail)),
            status=400,
        )
    if isinstance(exc, exceptions.APIException):
        code, message = next(
            (v for k, v in _CODES.items() if isinstance(exc, k)),
            (exc.default_code, str(exc.detail)),
        )
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        return Response(error_body(code, message), status=exc.status_code, headers=headers)
    return None


def json_error(code: str, message: str, status_code: int) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code)
