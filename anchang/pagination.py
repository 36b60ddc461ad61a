"""Paging a page's list, for every app (the API's DRF paginator is `api.pagination`).

Keyset cursors (the review queue, suspicious records): the (entered_at, id) of the last row
shown, as `<microseconds since 1970>_<id>`, decoded strictly: anything else is a 400 with a
message, never a 500. Bounded offset pages (`offset_page`): one row past the page says
"more", so no COUNT runs over the table."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from django.utils.translation import gettext as _

from anchang.errors import ValidationFailed

T = TypeVar("T")

_CURSOR = re.compile(r"([0-9]{1,17})_([0-9]{1,12})")  # ASCII digits only: no ² or ١
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def encode(at: datetime, pk: int) -> str:
    return f"{(at - _EPOCH) // timedelta(microseconds=1)}_{pk}"


CURSOR_MAX = 40  # 17 digits, "_", 12 digits: longer is not a cursor of ours


def _broken(field: str) -> ValidationFailed:
    return ValidationFailed(
        fields={field: _("This page link is broken; start from the first page.")},
        code="invalid_cursor",  # the code every cursor list answers (api.pagination)
    )


def ensure_length(raw: object, field: str = "cursor") -> None:
    if raw is not None and len(str(raw)) > CURSOR_MAX:
        raise _broken(field)


def decode(raw: object, field: str = "cursor") -> tuple[datetime, int] | None:
    """(entered_at, id) from a cursor; None when empty."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    match = _CURSOR.fullmatch(text)
    if match is None:
        raise _broken(field)
    return _EPOCH + timedelta(microseconds=int(match.group(1))), int(match.group(2))


def offset_page(rows: Sequence[T], *, number: int, size: int) -> tuple[list[T], bool]:
    """Page `number` (from 1) of `size` rows, and whether a next page exists: one row past
    the page is read to know, instead of a COUNT. `rows` is usually a queryset (sliced)."""
    offset = (number - 1) * size
    page = list(rows[offset : offset + size + 1])
    return page[:size], len(page) > size
