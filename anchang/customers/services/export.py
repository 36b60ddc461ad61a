"""Exports: what the actor may export, phones masked, formula-safe, audited once."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from types import SimpleNamespace
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.customers import policies
from anchang.customers.filters import CustomerFilter
from anchang.customers.phones import mask_phone
from anchang.customers.selectors import customers_for
from anchang.errors import ValidationFailed
from anchang.org.models import User
from anchang.spreadsheets import spreadsheet_safe, xlsx_file


def _rows(actor: User, filters: Mapping[str, str] | None):
    policies.ensure_can_export_customers(actor=actor)
    rows = customers_for(actor, "export")
    if filters:
        filterset = CustomerFilter(data=filters, queryset=rows, request=SimpleNamespace(user=actor))
        if not filterset.is_valid():
            raise ValidationFailed(fields={
                name: " ".join(str(e) for e in errs) for name, errs in filterset.errors.items()
            })  # fmt: skip
        rows = filterset.qs
    return rows.select_related("project", "owner", "medium").order_by("project_id", "id")


def _header() -> list[str]:
    return [
        _("ID"), _("Project"), pgettext("person", "Name"), _("Mobile"), _("State"),
        _("Awareness medium"), _("Completeness (%)"), _("Owner"), _("Registered"),
    ]  # fmt: skip


def _lines(rows, counted: list[int]):
    """Each customer as a row of cells (phones masked), streamed from the database."""
    local = timezone.get_current_timezone()
    for c in rows.iterator(chunk_size=2000):
        counted[0] += 1
        yield [
            c.pk, c.project.name, c.name, mask_phone(c.phone), c.get_state_display(),
            c.medium.name if c.medium else "", c.completeness,
            c.owner.name if c.owner else "",
            c.created_at.astimezone(local).strftime("%Y-%m-%d %H:%M"),
        ]  # fmt: skip


def _audited(actor: User, count: int, fmt: str) -> None:
    audit_record(
        action=AuditEntry.Action.EXPORTED, actor=actor,
        details={"what": "customers", "rows": count, "format": fmt},
    )  # fmt: skip


def customers_export(*, actor: User, filters: Mapping[str, str] | None = None) -> tuple[str, int]:
    """The customers the actor may export, as CSV; `filters` are the customer list's
    (its query string), so what was listed is what is exported."""
    rows = _rows(actor, filters)
    out = io.StringIO()
    out.write("\ufeff")  # so Excel opens UTF-8 Chinese text correctly
    writer = csv.writer(out)
    writer.writerow(_header())
    counted = [0]
    for line in _lines(rows, counted):
        writer.writerow([spreadsheet_safe(v) if isinstance(v, str) else v for v in line])
    _audited(actor, counted[0], "csv")
    return out.getvalue(), counted[0]


def customers_export_xlsx(
    *, actor: User, filters: Mapping[str, str] | None = None
) -> tuple[IO[bytes], int]:
    """The same rows as an .xlsx workbook, streamed to a temporary file (memory stays flat
    at any size); numbers stay numbers."""
    rows = _rows(actor, filters)
    counted = [0]
    out = xlsx_file(_("Customers"), _header(), _lines(rows, counted))
    _audited(actor, counted[0], "xlsx")
    return out, counted[0]
