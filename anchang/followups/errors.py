"""Error codes of the follow-up engine."""

from django.db import models


class Code(models.TextChoices):
    CONTENT_TOO_SHORT = "content_too_short"
    NEXT_DATE_IN_PAST = "next_date_in_past"
    IN_FUTURE = "in_future"
    GRADE_NOT_IN_SCALE = "grade_not_in_scale"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
