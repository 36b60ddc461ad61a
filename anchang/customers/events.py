"""What customers' services publish for the apps above them to react to (how events work:
anchang/events.py). The customer in an event is the one the service holds under its row
lock and saves after the handlers: a handler may set its fields, never save it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from anchang.customers.models import Customer, OwnershipConflict, Registration
from anchang.events import Event
from anchang.org.models import User


class OwnerChange(StrEnum):
    """How a customer changes hands."""

    REGISTRATION = "registration"  # a return call or visit: whoever registers it receives them
    REASSIGNMENT = "reassignment"  # a manager's reassignment, or a conflict decided so
    # a manager's assignment over the hold cap, with a reason they give (audited)
    OVER_CAP = "over_cap"
    POOL = "pool"  # the shared pool's own moves: claim, hand-out, reclaim


@dataclass(frozen=True)
class OwnerChanging(Event):
    """`customer` is about to go to `owner`. A handler refuses by raising a DomainError (the
    pool: its claim rules for a registration, its hold cap for a reassignment)."""

    customer: Customer
    owner: User
    actor: User
    via: OwnerChange


@dataclass(frozen=True)
class OwnerChanged(Event):
    """`customer` has a new owner (None: nobody, in the pool) since `at`."""

    customer: Customer
    owner: User | None
    actor: User | None  # None: a rule did it (the tick's reclaim)
    via: OwnerChange
    was_in_pool: bool
    at: datetime


@dataclass(frozen=True)
class ContactRegistered(Event):
    """A call or visit was registered for its customer, who is the registering consultant's
    or nobody's (a conflict's registration publishes nothing: the owner keeps the customer)."""

    customer: Customer
    registration: Registration
    actor: User
    imported: bool = False  # a row of a file (导入), not a contact entered now


@dataclass(frozen=True)
class ConflictOpened(Event):
    """A registration of a phone another consultant owns opened a conflict (撞单); the apps
    above weigh the evidence and propose an outcome (assignment's ownership rule)."""

    conflict: OwnershipConflict


@dataclass(frozen=True)
class ConflictsOpened(Event):
    """A file's rows (导入) opened these conflicts at once, inserted: as ConflictOpened, for
    many."""

    conflicts: list  # [OwnershipConflict]


@dataclass(frozen=True)
class ContactsImporting(Event):
    """A file's contacts (导入) are about to be written, with the kind and time of each: the
    new customers they create (unsaved) or the known ones they return to (plain returns,
    locked). The apps above set on them what a registered contact sets (a handler may set
    their fields; the rows are written after)."""

    contacts: list  # [(Customer, kind, occurred_at)], a customer once per contact
    now: datetime


@dataclass(frozen=True)
class ContactsImported(Event):
    """Customers a file created (导入), in bulk, with the call or visit that created each (None
    for a customer list's row): the apps above apply what a registration's contact would
    (the next follow-up, a first grade, a channel's visit credit) to all of them at once."""

    pairs: list  # [(Customer, Registration | None)], inserted
    actor: User
    now: datetime


@dataclass(frozen=True)
class ReturnsImported(Event):
    """A file's plain returns of known customers (导入: nobody's hands or state changed),
    written in bulk with their registrations: the apps above apply what a registered
    return would, besides what ContactsImporting set (a channel's visit credit)."""

    pairs: list  # [(Customer, Registration)], written, in the file's order
    actor: User
    now: datetime


@dataclass(frozen=True)
class ImportReverting(Event):
    """An import's customers (导入) are about to be removed (the import is reverted and nobody
    touched them): the apps above remove what the import itself wrote for them (a first
    grade) at or before `since`; anything later keeps the customer."""

    customer_ids: set
    since: datetime
