"""Exports: what the actor may export, phones masked, formula-safe, audited once."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from types import SimpleNamespace

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
from anchang.spreadsheets import spreadsheet_safe


def customers_export(*, actor: User, filters: Mapping[str, str] | None = None) -> tuple[str, int]:
    """The customers the actor may export, as CSV; `filters` are the customer list's
    (its query string), so what was listed is what is exported."""
    policies.ensure_can_export_customers(actor=actor)
    rows = customers_for(actor, "export")
    if filters:
        filterset = CustomerFilter(data=filters, queryset=rows, request=SimpleNamespace(user=actor))
        if not filterset.is_valid():
            raise ValidationFailed(fields={
                name: " ".join(str(e) for e in errs) for name, errs in filterset.errors.items()
            })  # fmt: skip
        rows = filterset.qs
    rows = rows.select_related("project", "owner", "medium").order_by("project_id", "id")
    out = io.StringIO()
    out.write("\ufeff")  # so Excel opens UTF-8 Chinese text correctly
    writer = csv.writer(out)
    writer.writerow(
        [
            _("ID"), _("Project"), pgettext("person", "Name"), _("Mobile"), _("State"),
            _("Awareness medium"), _("Completeness (%)"), _("Owner"), _("Registered"),
        ]
    )  # fmt: skip
    count = 0
    local = timezone.get_current_timezone()
    for c in rows.iterator(chunk_size=2000):
        writer.writerow(
            [
                c.pk,
                spreadsheet_safe(c.project.name),
                spreadsheet_safe(c.name),
                mask_phone(c.phone),
                c.get_state_display(),
                spreadsheet_safe(c.medium.name if c.medium else ""),
                c.completeness,
                spreadsheet_safe(c.owner.name if c.owner else ""),
                c.created_at.astimezone(local).strftime("%Y-%m-%d %H:%M"),
            ]
        )
        count += 1
    audit_record(
        action=AuditEntry.Action.EXPORTED,
        actor=actor,
        details={"what": "customers", "rows": count},
    )
    return out.getvalue(), count
