"""Domain events: how a write in a lower app lets a higher app's rule act without the lower
app importing it (imports run one way: org → customers → followups → pool → …).

- An event is a frozen dataclass, defined by the app whose service publishes it
  (`customers/events.py`), naming what happened or is about to happen.
- A higher app subscribes a handler in its `AppConfig.ready()`; only services publish.
- Handlers run at once, in subscription order (the order of INSTALLED_APPS, lowest app
  first), inside the publishing service's transaction: their writes commit or roll back
  with the service's, and a handler refuses by raising a DomainError, which reaches the
  service's caller as the service's own error.

Not Django signals: a model signal fires on every save whoever saves, which hides business
rules (STYLE.md §10); an event is published by the one service that decided it, and the
list of handlers is read in the apps' `ready()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar


@dataclass(frozen=True)
class Event:
    """Base of every domain event."""


E = TypeVar("E", bound=Event)

_handlers: dict[type[Event], list[Callable]] = {}


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Call `handler` with every `event_type` published from now on. Subscribing the same
    handler again does nothing, so a `ready()` run twice does not run it twice."""
    handlers = _handlers.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


def publish(event: Event) -> None:
    """Run the handlers of this event's type, in the order they subscribed."""
    for handler in _handlers.get(type(event), ()):
        handler(event)
