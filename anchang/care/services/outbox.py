"""The outbox (发件箱): every queued message is claimed by one worker, sent once and its
outcome recorded; a worker that died mid-send leaves its messages in doubt, and they are
sent again only when the provider says it has no trace of them.

A message's states: queued → sending (claimed, lease) → sent → delivered (the receipt), or
failed; kept for the outbox backend; queued again after a throttle (back-off) or when the
provider has no trace of a message in doubt. Every write is conditional on the claim, so a
worker that outlived its lease cannot overwrite the one that took over."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from anchang.care import backends, rules
from anchang.care.backends import Outgoing, Result
from anchang.care.models import Message, Purpose
from anchang.care.selectors import consent_of
from anchang.care.services.messages import signature_of
from anchang.org.selectors import project_rules

logger = logging.getLogger(__name__)
S = Message.Status
LEASE = timedelta(minutes=2)  # a send takes seconds; past this its worker is taken for dead
CLAIM = 200  # messages a worker claims at once
GIVE_UP = timedelta(days=1)  # a message in doubt this long is failed, never sent again
MAX_CLAIMS = 1000  # claims in one pass (200,000 messages): the next pass takes the rest


def _claim(now: datetime, size: int, *, in_doubt: bool = False) -> tuple[str, list[int]]:
    """Mark up to `size` due messages as this worker's and return them (by id)."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = Message.objects.filter(not_before__lte=now)
        due = (
            due.filter(status=S.SENDING, lease_until__lt=now)
            if in_doubt
            else due.filter(status=S.QUEUED)
        )
        due = due.order_by("not_before", "id")
        if connection.vendor == "postgresql":  # SQLite's IMMEDIATE transactions serialise
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:size])
        if not ids:
            return token, []
        Message.objects.filter(pk__in=ids).update(
            status=S.SENDING, worker=token, lease_until=now + LEASE,
            attempts=F("attempts") + (0 if in_doubt else 1),
            first_tried_at=Coalesce("first_tried_at", now),
        )  # fmt: skip
    return token, ids


def _outgoing(message: Message) -> Outgoing:
    """What the backend sends: the text and the variables as they were filled when the
    message was queued (the timeline shows that text), under the provider's template code."""
    template = message.template
    code = ""
    names: list[str] = []
    if template is not None:
        code = str(
            (template.provider_codes or {}).get(backends.backend_for(message.channel).name, "")
        )
        names = rules.template_variables(template.body)
    params = message.params or {}
    return Outgoing(
        key=message.key, body=message.body, phone=message.phone,
        userid=message.staff.username if message.staff_id else "", template_code=code,
        variables=tuple((name, str(params.get(name, ""))) for name in names),
        signature=signature_of(message.project), first_try=message.first_tried_at,
    )  # fmt: skip


def _finish(message: Message, token: str, **fields) -> bool:
    return bool(Message.objects.filter(pk=message.pk, status=S.SENDING, worker=token)
                .update(worker="", lease_until=None, **fields))  # fmt: skip


def _gate(message: Message, now: datetime) -> dict | None:
    """What the send-time checks decide instead of sending (consent withdrawn since it was
    queued, quiet hours begun), or None to send."""
    if message.customer_id is None or message.channel != "sms":
        return None
    granted = consent_of(message.customer_id, message.purpose)
    if not rules.may_receive(message.purpose, granted):
        return {"status": S.BLOCKED, "error_code": "no_consent"}
    if message.purpose == Purpose.MARKETING:
        conf = project_rules(message.project)
        care = conf.care
        later = rules.next_allowed(now, conf.tz, care.quiet_from_hour, care.quiet_until_hour)
        if later > now:
            return {"status": S.QUEUED, "not_before": later,
                    "attempts": F("attempts") - 1}  # fmt: skip
    return None


def _record(message: Message, token: str, result: Result, backend: str, now: datetime) -> None:
    at = timezone.now()
    if result.outcome == backends.ACCEPTED:
        _finish(message, token, status=S.SENT, backend=backend, provider_id=result.provider_id,
                sent_at=at, error_code="", error="")  # fmt: skip
    elif result.outcome == backends.KEPT:
        _finish(message, token, status=S.KEPT, backend=backend, sent_at=at)
    elif result.outcome == backends.REJECTED:
        _finish(message, token, status=S.FAILED, backend=backend, error_code=result.code,
                error=result.message)  # fmt: skip
    elif result.outcome == backends.RETRY:
        if message.attempts >= rules.MAX_ATTEMPTS:
            _finish(message, token, status=S.FAILED, backend=backend, error_code=result.code,
                    error=result.message)  # fmt: skip
        else:
            later = now + rules.backoff(message.attempts)
            _finish(message, token, status=S.QUEUED, backend=backend, error_code=result.code,
                    error=result.message, not_before=later)  # fmt: skip
    else:  # in doubt: leave it claimed with a lapsed lease; the next pass asks the provider
        Message.objects.filter(pk=message.pk, status=S.SENDING, worker=token).update(
            lease_until=at - timedelta(seconds=1), backend=backend, error_code=result.code,
            error=result.message,
        )  # fmt: skip


def send_claimed(token: str, ids: list[int], at: datetime | None = None) -> int:
    """Send the messages this worker claimed; returns how many left (or were kept)."""
    done = 0
    messages = (
        Message.objects.filter(pk__in=ids, status=S.SENDING, worker=token)
        .select_related("template", "customer", "sender", "staff", "project")
        .order_by("id")
    )
    for message in messages:
        # the pass's own time decides (the tick's, or a test's frozen clock): what it puts
        # back for later is then never due again within the same pass
        now = at or timezone.now()
        held = _gate(message, now)
        if held is not None:
            _finish(message, token, **held)
            continue
        backend = backends.backend_for(message.channel)
        try:
            result = backend.send(_outgoing(message))
        except Exception as exc:  # a backend bug must not lose the message: in doubt
            logger.exception("message %s: the backend failed", message.pk)
            result = Result(backends.DOUBT, code="backend_error", message=str(exc)[:200])
        _record(message, token, result, backend.name, now)
        done += result.outcome in (backends.ACCEPTED, backends.KEPT)
    return done


def resolve_doubts(now: datetime | None = None, size: int = CLAIM) -> int:
    """Messages whose worker died or got no answer: the provider's own records decide."""
    now = now or timezone.now()
    token, ids = _claim(now, size, in_doubt=True)
    resolved = 0
    messages = Message.objects.filter(pk__in=ids, worker=token).select_related(
        "template", "customer", "sender", "staff", "project"
    )
    for message in messages:
        backend = backends.backend_for(message.channel)
        try:
            found = backend.lookup(_outgoing(message))
        except Exception:
            logger.exception("message %s: the lookup failed", message.pk)
            found = Result(backends.UNKNOWN)
        if found.outcome == backends.SENT:
            status = S.DELIVERED if found.delivered else S.SENT
            _finish(message, token, status=status, backend=backend.name, sent_at=now,
                    provider_id=found.provider_id or message.provider_id,
                    delivered_at=now if found.delivered else None)  # fmt: skip
        elif found.outcome == backends.NOT_SENT:
            _finish(message, token, status=S.QUEUED, not_before=now)
        elif message.first_tried_at and now - message.first_tried_at > GIVE_UP:
            _finish(message, token, status=S.FAILED, error_code="in_doubt")
        else:  # ask again after another lease
            Message.objects.filter(pk=message.pk, worker=token).update(lease_until=now + LEASE)
            continue
        resolved += 1
    return resolved


def messages_send_due(now: datetime | None = None, *, limit: int | None = None) -> int:
    """The tick's pass (or a worker's): doubts first, then every due message, claim by claim."""
    now = now or timezone.now()
    resolve_doubts(now)
    sent = 0
    for _ in range(MAX_CLAIMS):
        if limit is not None and sent >= limit:
            break
        token, ids = _claim(now, CLAIM)
        if not ids:
            break
        sent += send_claimed(token, ids, now)
    return sent


def send_soon() -> None:
    """After a request queued a message due now: send what is due without waiting for the
    tick (a background thread in the server; Celery when configured)."""
    messages_send_due()
