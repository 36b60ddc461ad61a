"""Where messages go: one interface, a backend per provider, chosen by settings.

    SMS_BACKEND    outbox (default: kept and shown, nothing sent) | aliyun | tencent
    WECOM_BACKEND  outbox (default) | wecom

Each provider backend speaks that provider's documented HTTP API and signs its requests as
the provider documents; docs/care.md lists the settings each one reads. A backend answers a
send with one of four outcomes, and after a worker died mid-send it answers whether the
provider took the message (`lookup`), so the outbox never sends one message twice."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ACCEPTED = "accepted"  # the provider took it (its id in provider_id)
KEPT = "kept"  # the outbox backend: kept to be read, nothing sent
RETRY = "retry"  # not taken, nothing sent: throttled, refused to connect, out of credit
REJECTED = "rejected"  # never will be: a number or template the provider refuses
DOUBT = "doubt"  # sent, and no clear answer (a timeout, garbage): ask `lookup` before again

SENT = "sent"  # lookup: the provider has it (provider_id; delivered when its receipt said so)
NOT_SENT = "not_sent"  # lookup: the provider has no trace of it; sending it again is safe
UNKNOWN = "unknown"  # lookup: cannot tell yet; ask again later


@dataclass(frozen=True)
class Outgoing:
    key: str  # the outbox's idempotency key: Aliyun's OutId, Tencent's SessionContext
    body: str
    phone: str = ""  # E.164, for SMS
    userid: str = ""  # the WeCom member, for staff messages
    template_code: str = ""  # the provider's approved template
    variables: tuple[tuple[str, str], ...] = ()  # in the template's order
    signature: str = ""  # the approved SMS signature (签名)
    first_try: datetime | None = None  # when the first attempt began (lookups search from it)


@dataclass(frozen=True)
class Result:
    outcome: str
    provider_id: str = ""
    code: str = ""  # the provider's own code, kept on the message
    message: str = ""
    delivered: bool = False  # a lookup that found the receipt too


@dataclass
class Receipt:
    """A delivery report, as a provider pushes it: which message, delivered or not."""

    delivered: bool
    provider_id: str = ""
    key: str = ""
    code: str = ""
    at: datetime | None = None


class Backend(Protocol):
    name: str
    channel: str

    def send(self, out: Outgoing) -> Result: ...

    def lookup(self, out: Outgoing) -> Result: ...


def _build(name: str) -> Backend:
    if name == "outbox":
        from anchang.care.backends.outbox import Outbox

        return Outbox()
    if name == "aliyun":
        from anchang.care.backends.aliyun import AliyunSms

        return AliyunSms.from_settings()
    if name == "tencent":
        from anchang.care.backends.tencent import TencentSms

        return TencentSms.from_settings()
    if name == "wecom":
        from anchang.care.backends.wecom import WeCom

        return WeCom.from_settings()
    raise ImproperlyConfigured(f"unknown message backend {name!r}")


@functools.cache
def _cached(channel: str, name: str) -> Backend:
    backend = _build(name)
    if backend.channel not in (channel, "any"):
        raise ImproperlyConfigured(f"{name!r} does not send {channel} messages")
    return backend


def backend_for(channel: str) -> Backend:
    """The configured backend of a channel (sms or wecom), built once per process."""
    name = settings.SMS_BACKEND if channel == "sms" else settings.WECOM_BACKEND
    return _cached(channel, name)


def reset() -> None:
    """Forget the built backends (tests that change the settings)."""
    _cached.cache_clear()
