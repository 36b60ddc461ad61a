"""Error codes of the audit log. The log raises none a user reads yet: refusals to read it
are the kernel's `permission_denied`, and changing an entry is a programming error
(`AppendOnlyError`), never an answer. A code the log comes to raise is added here."""

from django.db import models


class Code(models.TextChoices):
    pass
