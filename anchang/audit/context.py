"""What the audit log takes from the request being served (the client's address), as a
plain value: middleware sets it for each request, `audit_record` reads it, and services
take plain values instead of an `HttpRequest`. Outside a request (management commands,
`tick`, tests calling services) the context is empty and entries carry no address."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True, slots=True)
class AuditContext:
    ip: str | None = None

    @classmethod
    def of(cls, request: HttpRequest) -> AuditContext:
        # Behind a reverse proxy, ProxyClientAddressMiddleware has put the client's address
        # here, so the middleware that calls this must come after it.
        return cls(ip=request.META.get("REMOTE_ADDR"))


NO_REQUEST = AuditContext()

# A ContextVar, not a thread-local: each thread and each asyncio task sees its own request.
_current: ContextVar[AuditContext] = ContextVar("audit_context", default=NO_REQUEST)


def audit_context_current() -> AuditContext:
    return _current.get()


@contextmanager
def audit_context(context: AuditContext) -> Iterator[None]:
    """Audit entries written inside the block carry `context`; the previous one returns after."""
    token = _current.set(context)
    try:
        yield
    finally:
        _current.reset(token)
