"""Input cleaning every app shares, so the page and the API clean a value the same way."""

from __future__ import annotations

from django.db import models


def fold_spaces(value: str | None) -> str:
    """One line of text as people mean it: every run of whitespace (newlines, tabs, the
    full-width space 　) becomes one space, and the ends are trimmed; None is ""."""
    return " ".join((value or "").split())


def max_length_of(model: type[models.Model], field: str) -> int:
    """A text column's limit, for the form or serializer that feeds it (one number)."""
    return model._meta.get_field(field).max_length
