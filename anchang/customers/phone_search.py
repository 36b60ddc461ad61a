"""The full-phone search of the customer list (page, API and export alike): audited and
capped per hour; a hit is named only to who may see the number or reveal it, and then counts
as a reveal, under the reveal cap kept here for the reveal service too. Below the services
package: the list's filter runs the search, and the export service runs that filter."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.customers import policies
from anchang.customers.errors import Code
from anchang.customers.models import Customer, CustomerPhone
from anchang.errors import DomainError
from anchang.org.models import User
from anchang.org.selectors import project_rules, strictest_setting


def reveal_within_cap(actor: User, customer: Customer, reason: str) -> bool:
    """Write the reveal's audit entry if the actor is under the reveal caps; False if not."""
    limits = project_rules(customer.project).privacy
    with transaction.atomic():
        # One user's reveals one at a time (their user row locked on PostgreSQL; SQLite's
        # IMMEDIATE transaction locks the database): count-then-write let two at once both
        # pass the last place under the cap.
        list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk"))
        now = timezone.now()
        reveals = AuditEntry.objects.filter(actor=actor, action=AuditEntry.Action.PHONE_REVEALED)
        allowed = (
            reveals.filter(at__gte=now - timedelta(hours=1)).count() < limits.reveals_per_hour
            and reveals.filter(at__gte=now - timedelta(days=1)).count() < limits.reveals_per_day
        )
        if allowed:
            audit_record(
                action=AuditEntry.Action.PHONE_REVEALED, actor=actor, obj=customer,
                project=customer.project, details={"reason": reason},
            )  # fmt: skip
    return allowed


class PhoneSearchLimitReached(DomainError):
    status = 429
    default_code = Code.PHONE_SEARCH_LIMIT


def phone_search(
    *,
    actor: User,
    candidates: QuerySet[Customer],
    e164: str,
) -> list[int]:
    """The customers among `candidates` (already scoped to what the actor may list) whose
    phone is `e164` and whom the search may name to the actor.

    A hit confirms the masked digits, so it is shown only to who sees the number in full,
    or, to who may reveal it, as a reveal (audited, within the reveal cap). Anyone else, or
    a revealer over the cap, gets the answer a wrong guess gets. Every full-number search is
    audited (without the number) and capped per hour, refused before it looks, so no
    answer depends on whether the guess was right.
    """
    limit = strictest_setting(actor, "privacy.phone_searches_per_hour")
    with transaction.atomic():
        # One user's searches one at a time, as for reveals, so searches at once stop at the cap.
        list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk"))
        done = AuditEntry.objects.filter(
            actor=actor, action=AuditEntry.Action.PHONE_SEARCHED,
            at__gte=timezone.now() - timedelta(hours=1),
        ).count()  # fmt: skip
        if done < limit:
            named = _phone_search_hits(actor, candidates, e164)
            audit_record(
                action=AuditEntry.Action.PHONE_SEARCHED, actor=actor,
                details={"found": len(named)},
            )  # fmt: skip
            return named
    audit_record(action=AuditEntry.Action.PHONE_SEARCH_BLOCKED, actor=actor)
    raise PhoneSearchLimitReached(
        _(
            "You have searched by full phone number %(n)d times in the last hour. "
            "Search by name or the last 4 digits, or try again later."
        )
        % {"n": limit}
    )


def _phone_search_hits(actor: User, candidates: QuerySet[Customer], e164: str) -> list[int]:
    phones = CustomerPhone.objects.filter(phone=e164).values("customer_id")
    hits = list(
        candidates.filter(pk__in=phones).select_related("project").order_by()[:MAX_PHONE_HITS]
    )
    named = []
    for customer in hits:
        if policies.can_see_full_phone(actor=actor, customer=customer) or (
            policies.can_reveal_phone(actor=actor, customer=customer)
            and reveal_within_cap(actor, customer, str(SEARCH_REASON))
        ):
            named.append(customer.pk)
    return named


# One phone is one customer per project: a search finds at most one per project it reaches.
MAX_PHONE_HITS = 50
SEARCH_REASON = gettext_lazy("Searched by the full number")
