"""Error codes of the shared pool."""

from django.db import models


class Code(models.TextChoices):
    NOT_IN_POOL = "not_in_pool"
    DAILY_CLAIM_LIMIT = "daily_claim_limit"
    HOLD_CAP = "hold_cap"
    COOLDOWN = "reclaim_cooldown"
