"""Fetching one record by an id from a URL or a request body, inside what the actor may see."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from anchang.ids import parse_id

M = TypeVar("M", bound=Model)


def get_in_scope(queryset: QuerySet[M], pk) -> M:
    """404 (never 403) for an id outside the queryset, or not an id at all, so ids reveal
    nothing about records the actor may not see."""
    pk = parse_id(pk)
    if pk is None:
        raise Http404
    # Unordered: one id matches one row at most, and `first()`'s ORDER BY cost a sixth of
    # compiling a card's query.
    found = list(queryset.filter(pk=pk).order_by()[:1])
    if not found:
        raise Http404
    return found[0]
