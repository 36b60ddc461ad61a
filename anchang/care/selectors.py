"""Owner care's reads: a customer's messages and consent, the project's templates and its
outbox, each from what the reader may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from anchang.care import policies
from anchang.care.models import Consent, Message, MessageTemplate
from anchang.customers.models import Customer
from anchang.errors import NotFound
from anchang.org.models import User

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
