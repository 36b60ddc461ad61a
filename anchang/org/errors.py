"""Error codes of org: staff, API tokens and project rules."""

from django.db import models


class Code(models.TextChoices):
    STALE_VERSION = "stale_version"  # the project's rules changed since the form was read
