"""Error codes of customers: intake, the card, phones and their reveal, conflicts, media."""

from django.db import models


class Code(models.TextChoices):
    INVALID_PHONE = "invalid_phone"
    DUPLICATE_PHONE = "duplicate_phone"
    STALE_VERSION = "stale_version"
    REQUIRED_FIELDS_MISSING = "required_fields_missing"
    NOT_OFFERED = "not_offered"
    PHONE_NOT_EDITABLE = "phone_not_editable"
    STATE_WORKFLOW_OWNED = "state_workflow_owned"
    ALREADY_RESOLVED = "already_resolved"
    DUPLICATE_NAME = "duplicate_name"
    REVEAL_LIMIT = "reveal_limit"
    PHONE_SEARCH_LIMIT = "phone_search_limit"
    BULK_READ_LIMIT = "bulk_read_limit"
    OVERRIDE_NEEDS_NOTE = "override_needs_note"  # a conflict decided against the proposal
