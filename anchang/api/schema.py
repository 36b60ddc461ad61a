"""The OpenAPI schema says what every operation may answer, errors included."""

from __future__ import annotations

from django.utils import translation
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.views import SpectacularAPIView

from anchang.api.error_codes import server_error_codes

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error: a stable code, a message to show, and per-field messages.",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["code", "message", "fields"],
}
# Answers any operation may give (anchang/api/errors.py): bad input, not signed in, not
# allowed, not found (or not visible), a stale version or a duplicate, too large, not
# JSON, too many requests.
ERRORS = {
    "400": "Invalid input: `fields` says which and why.",
    "401": "Not signed in, or the token is not valid.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object among those you may see.",
    "405": "This method is not allowed here.",
    "409": "A conflict: the record changed since you read it, or already exists.",
    "413": "The request is too large.",
    "415": "Send JSON (application/json).",
    "429": "Too many requests: wait and try again.",
}


def error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the Error component and the error answers on
    every operation (one it documents itself is kept)."""
    error = dict(ERROR_SCHEMA, properties=dict(ERROR_SCHEMA["properties"]))
    error["properties"]["code"] = {"type": "string", "enum": list(server_error_codes())}
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = error
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(status, {"description": description, "content": content})
    return result


class SchemaView(SpectacularAPIView):
    """The schema in one language whatever the visitor's Accept-Language: titles and
    descriptions name the classes a client generator writes, so a translated schema would
    be a different API. Rendered inside the override, since the body holds lazy strings."""

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
        return response


class TextFieldExtension(OpenApiSerializerFieldExtension):
    """anchang.api.serializers.TextField: the schema says the service's limits."""

    target_class = "anchang.api.serializers.TextField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = {"type": "string", "maxLength": field.limit}
        if field.minimum is not None:
            schema["minLength"] = field.minimum
        if field.min_length_by:
            schema["x-min-length-by-kind"] = field.min_length_by
        return schema
