"""The OpenAPI schema says what every operation may answer, errors included."""

from __future__ import annotations

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
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(status, {"description": description, "content": content})
    return result
