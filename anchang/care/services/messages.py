"""Queueing messages: one SMS to one customer in the consultant's own name, and the gates
every message passes (consent per purpose, quiet hours, the weekly cap, a mobile number, a
filled template). Sending is the outbox's (services/outbox.py)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import phonenumbers
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.background import run_after_commit
from anchang.care import policies, rules
from anchang.care.errors import Code
from anchang.care.models import Channel, Message, MessageTemplate, Purpose
from anchang.care.selectors import consent_of, marketing_this_week
from anchang.customers.models import Customer
from anchang.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from anchang.org.models import Project, User
from anchang.org.selectors import project_rules

KEY_MAX = 64  # a client's idempotency key
SEND_AHEAD_MAX = timedelta(days=90)
NAME_MAX = 20  # a variable's name
# Filled in by the outbox from the customer, the sender and the project; a template may use
# them and a sender may not set them.
BUILT_IN = ("name", "consultant", "project")


def is_mobile(phone: str) -> bool:
    try:
        number = phonenumbers.parse(phone)
    except phonenumbers.NumberParseException:
        return False
    kind = phonenumbers.number_type(number)
    return kind in (phonenumbers.PhoneNumberType.MOBILE,
                    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)  # fmt: skip


def clean_params(params: object, body: str) -> dict[str, str]:
    """The sender's values of a template's own variables: named in the template, short, one
    line each; a built-in or unknown name is refused by name."""
    if params in (None, ""):
        params = {}
    if not isinstance(params, dict):
        raise ValidationFailed(fields={"params": _("Give the variables as name: value.")})
    if len(params) > rules.VARIABLE_MAX:
        raise ValidationFailed(
            fields={"params": _("At most %(n)d variables.") % {"n": rules.VARIABLE_MAX}}
        )
    try:
        names = rules.template_variables(body)
    except rules.TemplateError as exc:
        raise ValidationFailed(str(exc), code=Code.TEMPLATE_INVALID) from exc
    clean: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, value in params.items():
        label = str(name)[:NAME_MAX]
        if name in BUILT_IN:
            errors[label] = _("{%(name)s} is filled in by itself.") % {"name": label}
        elif name not in names:
            errors[label] = _("The template has no {%(name)s}.") % {"name": label}
        elif not isinstance(value, str | int) or isinstance(value, bool):
            errors[label] = _("Give a text.")
        else:
            text = " ".join(str(value).split())
            if len(text) > rules.VALUE_MAX:
                errors[label] = _("At most %(n)d characters.") % {"n": rules.VALUE_MAX}
            elif text:
                clean[name] = text
    if errors:
        raise ValidationFailed(fields=errors, code=Code.UNKNOWN_VARIABLE)
    return clean


def values_for(*, customer: Customer | None, sender: User | None, project: Project,
               params: dict[str, str]) -> dict[str, str]:  # fmt: skip
    values = {"project": project.name[: rules.VALUE_MAX]}
    if customer is not None:
        values["name"] = customer.name[: rules.VALUE_MAX]
    if sender is not None:
        values["consultant"] = str(sender)[: rules.VALUE_MAX]
    return {**values, **params}


def ensure_filled(body: str, values: dict[str, str]) -> str:
    missing = rules.missing_variables(body, values)
    if missing:
        raise ValidationFailed(
            _("Fill in every variable of the template."), code=Code.MISSING_VARIABLE,
            fields={name: _("Give a value for {%(name)s}.") % {"name": name} for name in missing},
        )  # fmt: skip
    return rules.render(body, values)


def ensure_template(template: MessageTemplate, project_id: int, channel: str) -> None:
    if template.project_id != project_id:
        raise NotFound()
    if not template.is_active:
        raise ValidationFailed(
            fields={"template": _("This template is no longer in use.")},
            code=Code.TEMPLATE_INACTIVE,
        )  # fmt: skip
    if template.channel != channel:
        raise ValidationFailed(fields={"template": _("Not an SMS template.")})


def ensure_may_receive(customer: Customer, purpose: str) -> None:
    if not rules.may_receive(purpose, consent_of(customer.pk, purpose)):
        message = (
            _("The customer has not agreed to marketing messages, or has opted out.")
            if purpose == Purpose.MARKETING
            else _("The customer asked not to get service messages.")
        )
        raise ValidationFailed(message, code=Code.NO_CONSENT)


def send_time(*, project: Project, purpose: str, send_at: datetime | None, now: datetime
              ) -> datetime:  # fmt: skip
    """When a message asked for at `send_at` (None: now) may go, or a clear refusal."""
    at = send_at or now
    if send_at is not None and (send_at < now - timedelta(minutes=5)
                                or send_at > now + SEND_AHEAD_MAX):  # fmt: skip
        raise ValidationFailed(
            fields={"send_at": _("Choose a time from now to 90 days ahead.")},
            code=Code.SEND_AT_INVALID,
        )  # fmt: skip
    if purpose == Purpose.MARKETING:
        conf = project_rules(project)
        care = conf.care
        if rules.in_quiet_hours(at, conf.tz, care.quiet_from_hour, care.quiet_until_hour):
            allowed = rules.next_allowed(at, conf.tz, care.quiet_from_hour, care.quiet_until_hour)
            raise ValidationFailed(
                _("Marketing messages are not sent between %(start)02d:00 and %(end)02d:00; "
                  "choose a time from %(next)s.") % {
                    "start": care.quiet_from_hour, "end": care.quiet_until_hour,
                    "next": allowed.astimezone(conf.tz).strftime("%Y-%m-%d %H:%M"),
                },
                code=Code.QUIET_HOURS, fields={"send_at": _("In the quiet hours.")},
            )  # fmt: skip
    return max(at, now)


def message_preview(template: MessageTemplate, *, customer: Customer, sender: User) -> str:
    """The text as the customer would read it, the sender's own variables left as {name}."""
    values = values_for(customer=customer, sender=sender, project=customer.project, params={})
    names = rules.template_variables(template.body)
    return rules.render(template.body, {n: values.get(n, f"{{{n}}}") for n in names})


def signature_of(project: Project) -> str:
    return project_rules(project).care.sms_signature or project.name[:20]


def message_key(actor: User, key: str | None) -> str:
    if key is None or key == "":
        return f"m:{uuid.uuid4().hex}"
    if len(key) > KEY_MAX or not key.isprintable():
        raise ValidationFailed(fields={"idempotency_key": _("At most 64 characters.")})
    return f"u{actor.pk}:{key}"


@transaction.atomic
def message_queue(
    *, actor: User, customer: Customer, template: MessageTemplate, params: object = None,
    send_at: datetime | None = None, key: str | None = None, now: datetime | None = None,
) -> Message:  # fmt: skip
    """An SMS to one customer, in the actor's own name: checked now, queued in the outbox and
    sent after the commit (at `send_at`, when given). The same key again returns the first."""
    now = now or timezone.now()
    policies.ensure_visible(actor, customer)
    if not policies.can_message_customer(actor, customer):
        raise PermissionDenied()
    full_key = message_key(actor, key)
    existing = Message.objects.filter(key=full_key).first()
    if existing is not None:
        if existing.customer_id != customer.pk or existing.template_id != template.pk:
            raise Conflict(_("This request key was used for another message."),
                           code=Code.KEY_REUSED)  # fmt: skip
        return existing
    ensure_template(template, customer.project_id, Channel.SMS)
    project = customer.project
    values = values_for(customer=customer, sender=actor, project=project,
                        params=clean_params(params, template.body))  # fmt: skip
    body = ensure_filled(template.body, values)
    # the values as filled now: what the provider's template gets is what the timeline shows
    filled = {name: values[name] for name in rules.template_variables(template.body)}
    if not is_mobile(customer.phone):
        raise ValidationFailed(
            _("The customer's number is not a mobile number: it cannot take an SMS."),
            code=Code.NOT_MOBILE,
        )  # fmt: skip
    # the customer's row is the lock: two sends at once count each other against the cap
    Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk").first()
    ensure_may_receive(customer, template.purpose)
    at = send_time(project=project, purpose=template.purpose, send_at=send_at, now=now)
    if template.purpose == Purpose.MARKETING:
        cap = project_rules(project).care.marketing_per_week
        if marketing_this_week([customer.pk], at).get(customer.pk, 0) >= cap:
            raise ValidationFailed(
                _("The customer has had %(n)d marketing messages this week, the most allowed.")
                % {"n": cap}, code=Code.WEEKLY_CAP,
            )  # fmt: skip
    try:
        with transaction.atomic():
            message = Message.objects.create(
                project=project, customer=customer, template=template, channel=Channel.SMS,
                purpose=template.purpose, phone=customer.phone, params=filled, body=body,
                sender=actor, key=full_key, status=Message.Status.QUEUED, not_before=at,
                created_by=actor, created_at=now,
            )  # fmt: skip
    except IntegrityError:  # the same key at the same instant: the first one wins
        return Message.objects.get(key=full_key)
    if at <= now:
        from anchang.care.services.outbox import send_soon

        run_after_commit(send_soon)
    return message
