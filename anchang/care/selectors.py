"""Owner care's reads: a customer's messages and consent, the project's templates and its
outbox, each from what the reader may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from anchang.care import policies
from anchang.care.errors import Code
from anchang.care.models import Batch, Consent, Message, MessageTemplate, Purpose
from anchang.customers.models import Customer
from anchang.errors import NotFound
from anchang.org.models import Project, User
from anchang.prepared import unprepared_rows

CARD_MESSAGES = 20


@dataclass(frozen=True)
class CareCard:
    messages: list[Message]
    consents: dict[str, Consent]
    can_send: bool
    can_record_consent: bool


def card_messages(customer: Customer, *, printed: bool = False, actor: User | None = None
                  ) -> CareCard:  # fmt: skip
    """The customer's latest messages and replies (newest first) and their consent, for their
    card; with what the reader may do there."""
    messages = list(
        Message.objects.filter(customer=customer)
        .select_related("sender")
        .order_by("-created_at", "-id")[: 10 if printed else CARD_MESSAGES]
    )
    return CareCard(
        messages=messages, consents=customer_consents(customer),
        can_send=actor is not None and not printed
        and policies.can_message_customer(actor, customer),
        can_record_consent=actor is not None and not printed
        and policies.can_record_consent(actor, customer),
    )  # fmt: skip


def consent_of(customer_id: int, purpose: str) -> bool | None:
    """The customer's answer for one purpose; None: never asked."""
    return (
        Consent.objects.filter(customer_id=customer_id, purpose=purpose)
        .values_list("granted", flat=True)
        .first()
    )


def marketing_this_week(customer_ids: list[int], at: datetime) -> dict[int, int]:
    """Marketing messages each customer has had or has booked within 7 days either side of
    `at`, so that no week around it holds more than the cap (those that did not go do not
    count)."""
    rows = unprepared_rows(  # up to a thousand ids (a batch's chunk), planned with their values
        Message.objects.filter(
            customer_id__in=customer_ids, purpose=Purpose.MARKETING,
            not_before__gt=at - timedelta(days=7), not_before__lte=at + timedelta(days=7),
        )
        .exclude(status__in=[Message.Status.FAILED, Message.Status.BLOCKED,
                             Message.Status.RECEIVED])
        .order_by()
        .values_list("customer_id")
        .annotate(n=Count("id"))
    )  # fmt: skip
    return dict(rows)


def customer_consents(customer: Customer) -> dict[str, Consent]:
    return {c.purpose: c for c in Consent.objects.filter(customer=customer)}


def templates_for(*, project_id: int, channel: str = "sms") -> QuerySet[MessageTemplate]:
    return MessageTemplate.objects.filter(
        project_id=project_id, channel=channel, is_active=True
    ).order_by("purpose", "name")


def templates_sendable(actor: User, *, project_id: int) -> QuerySet[MessageTemplate]:
    """The templates of a project where the actor sends messages; none elsewhere."""
    if project_id not in policies.duty_project_ids(actor, "sends_messages"):
        return MessageTemplate.objects.none()
    return templates_for(project_id=project_id)


def template_get(*, project_id: int, pk: object) -> MessageTemplate:
    if not str(pk).isdecimal() or int(pk) > 2**31:
        raise NotFound()
    template = templates_for(project_id=project_id).filter(pk=int(pk)).first()
    if template is None:
        raise NotFound()
    return template


# The customer list's filters a batch's audience may use (customers.filters.CustomerFilter):
# a name or phone search (audited, capped) and the list's order are not an audience.
AUDIENCE_FILTERS = {
    "state": 20, "grade": 10, "owner": 20, "medium": 20, "registered_from": 10,
    "registered_to": 10, "contact_from": 10, "contact_to": 10, "overdue": 5,
}  # fmt: skip


@dataclass(frozen=True)
class _Reader:
    """What CustomerFilter reads of a request: who reads."""

    user: User


def audience_customers(actor: User, *, project_id: int, audience: object) -> QuerySet[Customer]:
    """The customers of one project the actor reads that the audience's filters keep; the
    same filters, and the same scope, as the customer list."""
    from anchang.customers.filters import CustomerFilter
    from anchang.customers.selectors import visible_customers
    from anchang.errors import ValidationFailed

    if not isinstance(audience, dict) or set(audience) - set(AUDIENCE_FILTERS):
        raise ValidationFailed(
            fields={"audience": _("Filter by %(names)s.") % {"names": ", ".join(AUDIENCE_FILTERS)}},
            code=Code.AUDIENCE_INVALID,
        )  # fmt: skip
    customers = visible_customers(actor).filter(project_id=project_id)
    filtered = CustomerFilter(data=audience, queryset=customers, request=_Reader(actor))
    if not filtered.is_valid():
        raise ValidationFailed(
            fields={f"audience.{k}": " ".join(map(str, v)) for k, v in filtered.errors.items()},
            code=Code.AUDIENCE_INVALID,
        )  # fmt: skip
    return filtered.qs.order_by("id")


def batch_projects(actor: User) -> frozenset[int]:
    """The projects whose batches the actor builds or approves (the care desk)."""
    return policies.duty_project_ids(actor, "runs_batches") | policies.duty_project_ids(
        actor, "approves_batches"
    )


def batch_project(actor: User, pk: int) -> Project:
    """A project where the actor builds batches; 404 for any other."""
    if pk not in policies.duty_project_ids(actor, "runs_batches"):
        raise NotFound()
    return Project.objects.get(pk=pk)


def batches_for(actor: User) -> QuerySet[Batch]:
    return (
        Batch.objects.filter(project_id__in=sorted(batch_projects(actor)))
        .select_related("template", "created_by", "decided_by", "project")
        .order_by("-created_at", "-id")
    )


def batch_get(actor: User, pk: object) -> Batch:
    if not str(pk).isdecimal() or int(pk) > 2**62:
        raise NotFound()
    batch = batches_for(actor).filter(pk=int(pk)).first()
    if batch is None:
        raise NotFound()
    return batch


def batch_counts(batch: Batch) -> dict[str, int]:
    """The batch's messages by status, and the refusals by reason (blocked:<code>)."""
    from django.db.models import Count

    counts: dict[str, int] = {}
    rows = batch.messages.values("status", "error_code").annotate(n=Count("id"))
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + row["n"]
        if row["status"] == Message.Status.BLOCKED:
            key = f"blocked:{row['error_code']}"
            counts[key] = counts.get(key, 0) + row["n"]
    return counts


def batch_build_projects(actor: User) -> list[Project]:
    ids = policies.duty_project_ids(actor, "runs_batches")
    return list(Project.objects.filter(pk__in=sorted(ids), is_active=True).order_by("name"))


def audience_options(project: Project) -> dict:
    """What the batch form offers to filter by, in this project's words."""
    from anchang import permissions
    from anchang.customers.choices import State
    from anchang.customers.filters import grade_choices
    from anchang.org.selectors import project_staff

    return {
        "states": State.choices, "grades": grade_choices([project]),
        "owners": list(project_staff(project=project,
                                     roles=set(permissions.duty_roles("own_customers")))),
    }  # fmt: skip


def batch_text(batch: Batch) -> str:
    """The batch's text with its own variables filled and each recipient's left as {name}:
    what the manager approves."""
    from anchang.care import rules

    names = rules.template_variables(batch.template.body)
    values = {n: f"{{{n}}}" for n in names} | {"project": batch.project.name} | batch.params
    return rules.render(batch.template.body, values)
