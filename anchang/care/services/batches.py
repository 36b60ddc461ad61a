"""群发: one template to a filtered set of a project's customers. Previewed (who will get it,
who will not and why, the text), approved by a manager above the project's threshold, then
queued as one outbox row per recipient keyed by the batch and the customer, so queueing a
batch again after a crash adds nothing. Each message goes in the name of the customer's own
consultant; the gates are those of a single message (services/messages.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anchang.background import run_after_commit
from anchang.care import policies, rules
from anchang.care.errors import Code
from anchang.care.models import Batch, Channel, Consent, Message, MessageTemplate, Purpose
from anchang.care.selectors import audience_customers, marketing_this_week
from anchang.care.services.messages import (
    BUILT_IN,
    clean_params,
    ensure_template,
    is_mobile,
    send_time,
    values_for,
)
from anchang.customers.models import Customer
from anchang.errors import Conflict, PermissionDenied, ValidationFailed
from anchang.org.models import Project, User
from anchang.org.selectors import project_rules
from anchang.prepared import unprepared_rows
from anchang.validators import fold_spaces

CHUNK = 1000  # recipients queued in one transaction
TITLE_MAX = 60
COMMENT_MAX = 300
# Why a recipient does not get a batch's message (Message.error_code), in words.
REFUSALS = {
    "no_consent": gettext_lazy("no consent"),
    "not_mobile": gettext_lazy("not a mobile number"),
    "weekly_cap": gettext_lazy("weekly limit reached"),
}


@dataclass(frozen=True)
class Preview:
    recipients: int  # in the audience
    will_send: int
    refused: dict[str, int]  # code → how many will not get it
    sample: str  # the text as the first recipient would read it
    needs_approval: bool


def _refusals(project: Project, template: MessageTemplate, customers: list[Customer],
              at: datetime) -> dict[int, str]:  # fmt: skip
    """Why each customer who will not get the message will not (by id)."""
    ids = [c.pk for c in customers]
    # a thousand ids: planned with their values each time (anchang/prepared.py)
    answers = dict(unprepared_rows(
        Consent.objects.filter(customer_id__in=ids, purpose=template.purpose)
        .values_list("customer_id", "granted")
    ))  # fmt: skip
    capped: dict[int, int] = {}
    cap = project_rules(project).care.marketing_per_week
    if template.purpose == Purpose.MARKETING:
        capped = marketing_this_week(ids, at)
    refused = {}
    for customer in customers:
        if not rules.may_receive(template.purpose, answers.get(customer.pk)):
            refused[customer.pk] = "no_consent"
        elif not is_mobile(customer.phone):
            refused[customer.pk] = "not_mobile"
        elif template.purpose == Purpose.MARKETING and capped.get(customer.pk, 0) >= cap:
            refused[customer.pk] = "weekly_cap"
    return refused


def _chunks(customers, size: int = CHUNK) -> Iterable[list[Customer]]:
    chunk: list[Customer] = []
    for customer in (
        customers.select_related("owner")
        .only("id", "name", "phone", "project_id", "owner__id", "owner__name", "owner__username")
        .iterator(chunk_size=size)
    ):
        chunk.append(customer)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _checked(*, actor: User, project: Project, template: MessageTemplate, params: object,
             audience: object, send_at: datetime | None, now: datetime):  # fmt: skip
    if not policies.can(actor, "runs_batches", project.pk):
        raise PermissionDenied()
    ensure_template(template, project.pk, Channel.SMS)
    clean = clean_params(params, template.body)
    missing = [n for n in rules.template_variables(template.body)
               if n not in BUILT_IN and n not in clean]  # fmt: skip
    if missing:
        raise ValidationFailed(
            _("Fill in every variable of the template."), code=Code.MISSING_VARIABLE,
            fields={n: _("Give a value for {%(name)s}.") % {"name": n} for n in missing},
        )  # fmt: skip
    at = send_time(project=project, purpose=template.purpose, send_at=send_at, now=now)
    customers = audience_customers(actor, project_id=project.pk, audience=audience)
    return clean, at, customers


def batch_preview(
    *, actor: User, project: Project, template: MessageTemplate, params: object = None,
    audience: object = None, send_at: datetime | None = None, now: datetime | None = None,
) -> Preview:  # fmt: skip
    """Who would get the batch and who would not, and why, without queueing anything."""
    return _previewed(actor=actor, project=project, template=template, params=params,
                      audience=audience, send_at=send_at, now=now or timezone.now())[0]  # fmt: skip


def _previewed(*, actor: User, project: Project, template: MessageTemplate, params: object,
               audience: object, send_at: datetime | None, now: datetime
               ) -> tuple[Preview, dict[str, str], datetime]:  # fmt: skip
    """The preview, with the checked variables and the send time it was made for."""
    clean, at, customers = _checked(actor=actor, project=project, template=template,
                                    params=params, audience=audience or {}, send_at=send_at,
                                    now=now)  # fmt: skip
    total = 0
    refused: dict[str, int] = {}
    sample = ""
    for chunk in _chunks(customers):
        total += len(chunk)
        for code in _refusals(project, template, chunk, at).values():
            refused[code] = refused.get(code, 0) + 1
        if not sample:
            first = chunk[0]
            values = values_for(customer=first, sender=first.owner or actor, project=project,
                                params=clean)  # fmt: skip
            sample = rules.render(template.body, values)
        if total > rules.BATCH_MAX:
            break
    threshold = project_rules(project).care.batch_approval_over
    preview = Preview(recipients=total, will_send=total - sum(refused.values()),
                      refused=refused, sample=sample, needs_approval=total > threshold)  # fmt: skip
    return preview, clean, at


@transaction.atomic
def batch_create(
    *, actor: User, project: Project, template: MessageTemplate, title: str,
    params: object = None, audience: object = None, send_at: datetime | None = None,
    key: str | None = None, now: datetime | None = None,
) -> Batch:  # fmt: skip
    """The batch as previewed; above the project's threshold it waits for a manager, else
    its messages are queued after the commit. The same key again returns the first batch."""
    now = now or timezone.now()
    if key:
        existing = Batch.objects.filter(created_by=actor, idempotency_key=key[:64]).first()
        if existing is not None:
            return existing
    title = fold_spaces(title)
    if not title or len(title) > TITLE_MAX:
        raise ValidationFailed(fields={"title": _("Give a title of at most %(n)d characters.")
                                       % {"n": TITLE_MAX}})  # fmt: skip
    preview, clean, at = _previewed(actor=actor, project=project, template=template,
                                    params=params, audience=audience, send_at=send_at,
                                    now=now)  # fmt: skip
    if preview.recipients > rules.BATCH_MAX:
        raise ValidationFailed(
            _("At most %(n)d recipients in one batch: narrow the filters.")
            % {"n": rules.BATCH_MAX}, code=Code.BATCH_TOO_LARGE,
        )  # fmt: skip
    if preview.will_send == 0:
        raise ValidationFailed(
            _("Nobody in this selection may receive the message."), code=Code.BATCH_EMPTY
        )
    batch = Batch.objects.create(
        project=project, template=template, title=title, params=clean,
        audience=audience or {}, recipients=preview.recipients, send_at=at,
        status=Batch.Status.PENDING if preview.needs_approval else Batch.Status.APPROVED,
        created_by=actor, created_at=now, idempotency_key=key[:64] if key else None,
    )  # fmt: skip
    if batch.status == Batch.Status.APPROVED:
        run_after_commit(batch_queue, batch.pk)
    return batch


@transaction.atomic
def batch_decide(*, actor: User, batch: Batch, approve: bool, comment: str = "",
                 now: datetime | None = None) -> Batch:  # fmt: skip
    now = now or timezone.now()
    if not policies.can(actor, "approves_batches", batch.project_id):
        raise PermissionDenied()
    if batch.created_by_id == actor.pk:
        raise PermissionDenied(_("Someone else decides what you asked for."),
                               code=Code.OWN_REQUEST)  # fmt: skip
    comment = fold_spaces(comment)
    if len(comment) > COMMENT_MAX:
        raise ValidationFailed(fields={"comment": _("At most %(n)d characters.")
                                       % {"n": COMMENT_MAX}})  # fmt: skip
    if not approve and not comment:
        raise ValidationFailed(fields={"comment": _("Say why it is refused.")})
    status = Batch.Status.APPROVED if approve else Batch.Status.REJECTED
    decided = Batch.objects.filter(pk=batch.pk, status=Batch.Status.PENDING).update(
        status=status, decided_by=actor, decided_at=now, comment=comment
    )
    if not decided:
        raise Conflict(_("This batch has been decided already."), code=Code.BATCH_DECIDED)
    batch.refresh_from_db()
    if approve:
        run_after_commit(batch_queue, batch.pk)
    return batch


def batch_queue(batch_id: int, now: datetime | None = None) -> int:
    """Queue an approved batch: one outbox row per recipient, chunk by chunk, each keyed by
    the batch and the customer, so running it again (after a crash, by the tick) adds only
    what is missing. Recipients are read now, within the creator's scope. Returns the rows
    added."""
    now = now or timezone.now()
    batch = (Batch.objects.select_related("project", "template", "created_by")
             .filter(pk=batch_id, status=Batch.Status.APPROVED).first())  # fmt: skip
    if batch is None:
        return 0
    project, template = batch.project, batch.template
    at = max(batch.send_at, now)
    conf = project_rules(project)
    if template.purpose == Purpose.MARKETING:  # approved at night: it goes in the morning
        at = rules.next_allowed(at, conf.tz, conf.care.quiet_from_hour, conf.care.quiet_until_hour)
    try:
        customers = audience_customers(batch.created_by, project_id=project.pk,
                                       audience=batch.audience)  # fmt: skip
    except ValidationFailed:  # the filters no longer hold (a grade the project dropped)
        customers = Customer.objects.none()
    added = 0
    for chunk in _chunks(customers):
        with transaction.atomic():
            refused = _refusals(project, template, chunk, at)
            rows = [_row(batch, customer, refused.get(customer.pk), at, now) for customer in chunk]
            before = Message.objects.filter(batch=batch).count()
            Message.objects.bulk_create(rows, ignore_conflicts=True)
            added += Message.objects.filter(batch=batch).count() - before
    Batch.objects.filter(pk=batch.pk, status=Batch.Status.APPROVED).update(
        status=Batch.Status.QUEUED
    )
    if at <= timezone.now():
        from anchang.care.services.outbox import send_soon

        run_after_commit(send_soon)
    return added


def _row(batch: Batch, customer: Customer, refused: str | None, at: datetime,
         now: datetime) -> Message:  # fmt: skip
    sender = customer.owner or batch.created_by  # in the name of the customer's consultant
    values = values_for(customer=customer, sender=sender, project=batch.project,
                        params=batch.params)  # fmt: skip
    names = rules.template_variables(batch.template.body)
    return Message(
        project_id=batch.project_id, customer=customer, template=batch.template, batch=batch,
        channel=Channel.SMS, purpose=batch.template.purpose, phone=customer.phone,
        params={n: values[n] for n in names}, body=rules.render(batch.template.body, values),
        sender=sender, key=f"b{batch.pk}:{customer.pk}",
        status=Message.Status.BLOCKED if refused else Message.Status.QUEUED,
        error_code=refused or "", not_before=at, created_by=batch.created_by, created_at=now,
    )  # fmt: skip


def batches_queue_due(now: datetime | None = None) -> int:
    """The tick: approved batches whose queueing stopped with its server go on."""
    return sum(
        batch_queue(pk, now)
        for pk in Batch.objects.filter(status=Batch.Status.APPROVED).values_list("pk", flat=True)
    )
