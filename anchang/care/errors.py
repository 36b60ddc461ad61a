"""Error codes of owner care: messages, consent, batches."""

from django.db import models


class Code(models.TextChoices):
    NO_CONSENT = "no_consent"  # marketing without a yes, or after an opt-out (回复TD)
    QUIET_HOURS = "quiet_hours"  # marketing between 21:00 and 08:00
    WEEKLY_CAP = "weekly_cap"  # marketing messages per customer per week
    NOT_MOBILE = "not_mobile"  # a landline cannot take an SMS
    MISSING_VARIABLE = "missing_variable"
    UNKNOWN_VARIABLE = "unknown_variable"
    TEMPLATE_INVALID = "template_invalid"
    TEMPLATE_INACTIVE = "template_inactive"
    NO_PROVIDER_CODE = "no_provider_code"  # the provider has not approved this template
    KEY_REUSED = "key_reused"  # an idempotency key sent again with another request
    SEND_AT_INVALID = "send_at_invalid"
    AUDIENCE_INVALID = "audience_invalid"
    BATCH_EMPTY = "batch_empty"  # nobody in the audience may receive it
    BATCH_TOO_LARGE = "batch_too_large"
    BATCH_DECIDED = "batch_decided"
    OWN_REQUEST = "own_request"  # nobody approves their own batch
