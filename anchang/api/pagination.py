"""Keyset (cursor) pagination: no COUNT(*) over a large table, stable under inserts."""

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from anchang.errors import ValidationFailed
from anchang.ids import ID_MAX

POSITION_MAX = 500  # characters: a position is one ordering value (an id, a date, a name)


def _invalid_cursor() -> ValidationFailed:
    return ValidationFailed(
        fields={"cursor": _("This cursor is not valid: start again from the first page.")},
        code="invalid_cursor",
    )


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

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, DjangoValidationError):
            # A cursor is client input: whatever it decodes to and however the database
            # takes it, a bad one is a 400. Without a cursor these are real bugs: re-raise.
            if request.query_params.get(self.cursor_query_param) is None:
                raise
            raise _invalid_cursor() from None

    def decode_cursor(self, request):
        """DRF's decoding (a 404 for a broken one: ours is a 400), then the position checked
        against the column it is compared with, before any query runs."""
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise _invalid_cursor() from None
        if cursor is not None and cursor.position is not None:
            self._check_position(cursor.position)
        return cursor

    def _check_position(self, position: str) -> None:
        if len(position) > POSITION_MAX or "\x00" in position:
            raise _invalid_cursor()
        name = self.ordering[0].lstrip("-") if self.ordering else "pk"
        meta = self._model._meta
        try:
            field = meta.pk if name == "pk" else meta.get_field(name)
        except FieldDoesNotExist:
            return  # an annotation: the query itself is guarded by paginate_queryset
        if isinstance(field, models.ForeignKey):
            field = field.target_field
        try:
            value = field.to_python(position)
        except DjangoValidationError:
            raise _invalid_cursor() from None
        if isinstance(field, models.IntegerField) and not -ID_MAX <= value <= ID_MAX:
            raise _invalid_cursor()
