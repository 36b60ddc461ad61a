"""Bulk reads (PIPL): paging through a list of customers one may not export is an export by
another name, so those rows are counted against a daily cap per person and audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.audit.models import AuditEntry, DailyReadCount
from anchang.audit.services import audit_record
from anchang.customers.errors import Code
from anchang.customers.models import Customer
from anchang.customers.scope import actor_may, customer_relation
from anchang.errors import DomainError
from anchang.org.models import User
from anchang.org.selectors import actor_grants, strictest_setting
from anchang.permissions import bulk_capped_relations, phone_full_relations


class BulkReadLimitReached(DomainError):
    status = 429
    default_code = Code.BULK_READ_LIMIT


def counts_as_bulk_read(actor: User, customer: Customer) -> bool:
    """A listed row the actor may not export and does not see in full (their own)."""
    return (
        actor_may(actor, "list", customer)
        and not actor_may(actor, "export", customer)
        and customer_relation(actor, customer) not in phone_full_relations()
    )


def list_read_record(*, actor: User, customers: Iterable[Customer], door: str) -> int:
    """Charge one page of a customer list to the reader's daily count and audit it; refuse
    the page (429) when it would pass the cap. Returns the rows charged (0 for readers who
    may export what they list, who are not counted)."""
    if not any(bulk_capped_relations(g.role) for g in actor_grants(actor)):
        return 0  # consultants, managers, admins: nothing they list is counted (no per-row work)
    rows = sum(1 for customer in customers if counts_as_bulk_read(actor, customer))
    if not rows:
        return 0
    limit = strictest_setting(actor, "privacy.list_rows_per_day")
    day = timezone.localdate()
    with transaction.atomic():
        DailyReadCount.objects.get_or_create(user=actor, day=day)
        # Conditional, so two pages at once cannot both pass the last place under the cap.
        charged = DailyReadCount.objects.filter(user=actor, day=day, rows__lte=limit - rows).update(
            rows=F("rows") + rows
        )
    if not charged:
        audit_record(
            action=AuditEntry.Action.LIST_READ_BLOCKED, actor=actor,
            details={"rows": rows, "door": door},
        )  # fmt: skip
        raise BulkReadLimitReached(
            _(
                "You have read %(n)d customers through lists today, the daily limit for roles "
                "without the export right. Ask a manager for an export."
            )
            % {"n": limit}
        )
    audit_record(
        action=AuditEntry.Action.LIST_READ, actor=actor,
        details={"rows": rows, "door": door},
    )  # fmt: skip
    return rows
