"""Error codes of the follow-up engine, its reviews, revisit plans and loss applications."""

from django.db import models


class Code(models.TextChoices):
    CONTENT_TOO_SHORT = "content_too_short"
    NEXT_DATE_IN_PAST = "next_date_in_past"
    IN_FUTURE = "in_future"
    GRADE_NOT_IN_SCALE = "grade_not_in_scale"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    # supervisor review (reviews/)
    OWN_FOLLOWUP = "own_followup"
    COMMENT_EMPTY = "comment_empty"
    COMMENT_TOO_LONG = "comment_too_long"
    # revisit plans (revisits/)
    INVALID_CRITERIA = "invalid_criteria"
    NO_TARGETS = "no_targets"
    TOO_MANY_TARGETS = "too_many_targets"
    BAD_WINDOW = "bad_window"
    NOT_REPORTED = "not_reported"
    ALREADY_REPORTED = "already_reported"
    ALREADY_REVIEWED = "already_reviewed"
    # loss applications (loss/)
    ALREADY_PENDING = "already_pending"
    ALREADY_DECIDED = "already_decided"
