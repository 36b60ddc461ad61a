"""Typed domain errors: a machine-readable code, a translated message, per-field details.

Services raise these; the API answers {code, message, fields} with the status below and
the HTML door shows the message beside the field.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    default_code = "invalid"
    default_message = _("The request could not be processed.")

    def __init__(self, message=None, *, code: str | None = None, fields: dict | None = None):
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.fields = fields or {}
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    status = 400
    default_code = "invalid"
    default_message = _("Some fields are not valid.")


class PermissionDenied(DomainError):
    status = 403
    default_code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class NotFound(DomainError):
    status = 404
    default_code = "not_found"
    default_message = _("Not found.")


class Conflict(DomainError):
    status = 409
    default_code = "conflict"
    default_message = _("The record was changed by someone else. Reload it and try again.")
