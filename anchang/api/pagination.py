"""Keyset (cursor) pagination: no COUNT(*) over a large table, stable under inserts."""

from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_ordering(self, request, queryset, view):
        # The FilterSet's `order` choice has already ordered the queryset; keep it.
        explicit = tuple(queryset.query.order_by)
        if explicit:
            return explicit
        return super().get_ordering(request, queryset, view)
