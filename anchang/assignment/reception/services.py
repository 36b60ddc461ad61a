"""排轮: the day's roster (签到, busy, away, signed out) and the walk-ins the desk hands out.

A walk-in takes the rotation's day row under a lock (`RotationDay`: `select_for_update` on
PostgreSQL; SQLite's IMMEDIATE transactions serialise writers), reads the roster, asks
`rules.next_turn` and writes what the plan says: the receiver's entry, a skip entry for each
consultant passed over, the make-up turns owed and the pointer. Two desks at the same instant
therefore take two turns, never one twice; the unique `(project, day, seq)` is the backstop.

A returning customer (the phone is known in the project) goes to their owner when the owner
is on the roster; otherwise whoever's turn it is receives them as a stand-in (义务接待),
without using up their turn, and the stand-in is proposed on the customer's deal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from anchang.assignment import policies, rules
from anchang.assignment.errors import Code
from anchang.assignment.models import DutyEntry, RotationDay, TurnEntry
from anchang.assignment.reception.selectors import local_time_of, receivers, today_of
from anchang.customers.models import Customer
from anchang.customers.phones import normalise_phone
from anchang.customers.selectors import visible_customers
from anchang.errors import Conflict, NotFound, ValidationFailed
from anchang.org.models import Project, User
from anchang.org.selectors import project_rules
from anchang.validators import fold_spaces, max_length_of

VISITOR_MAX = max_length_of(TurnEntry, "visitor")
SLOT_STATUSES = (rules.ON_DUTY, rules.BUSY, rules.AWAY, rules.OFF)


# --- the roster ---------------------------------------------------------------------------


def duty_sign_in(
    *, actor: User, project: Project, consultant: User, slot: tuple[time, time] | None = None,
    now: datetime | None = None,
) -> DutyEntry:  # fmt: skip
    """签到: on today's roster, free. Signing in again after signing out goes to the end of
    the sign-in order; signing in twice is the same entry (a double tap)."""
    now = now or timezone.now()
    policies.ensure_can_keep_duty(actor=actor, project=project, consultant_id=consultant.pk)
    if not receivers(project).filter(pk=consultant.pk).exists():
        raise ValidationFailed(
            fields=dict(consultant=_("Choose someone of this project who takes walk-ins.")),
            code=Code.NOT_A_RECEIVER,
        )
    start, end = slot or (None, None)
    if (start is None) != (end is None) or (start is not None and start == end):
        raise ValidationFailed(fields={"slot": _("Give the slot's start and end.")})
    day = today_of(project, now)
    with transaction.atomic():
        entry, created = DutyEntry.objects.select_for_update().get_or_create(
            project=project, day=day, consultant=consultant,
            defaults={"signed_in_at": now, "status_since": now, "slot_start": start,
                      "slot_end": end},
        )  # fmt: skip
        if created:
            return entry
        changed = {}
        if entry.status == rules.OFF:
            changed = {"status": rules.ON_DUTY, "status_since": now, "signed_in_at": now}
        if slot is not None:
            changed |= {"slot_start": start, "slot_end": end}
        if changed:
            DutyEntry.objects.filter(pk=entry.pk).update(**changed, version=F("version") + 1)
            entry.refresh_from_db()
    return entry


def duty_set(
    *, actor: User, entry: DutyEntry, status: str, version: int | None = None,
    now: datetime | None = None,
) -> DutyEntry:  # fmt: skip
    """Free, with a visitor, away, or signed out (签退). A stale `version` is a 409."""
    now = now or timezone.now()
    policies.ensure_can_keep_duty(actor=actor, project=entry.project,
                                  consultant_id=entry.consultant_id)  # fmt: skip
    if status not in SLOT_STATUSES:
        raise ValidationFailed(fields={"status": _("Choose free, busy, away or signed out.")})
    if entry.day != today_of(entry.project, now):
        raise Conflict(_("That roster is not today's."), code=Code.NOT_ON_ROSTER)
    rows = DutyEntry.objects.filter(pk=entry.pk)
    if version is not None:
        rows = rows.filter(version=version)
    if entry.status != status or version is not None:
        updated = rows.update(status=status, status_since=now, version=F("version") + 1)
        if not updated:
            raise Conflict(code=Code.STALE_VERSION)
    entry.refresh_from_db()
    return entry


# --- walk-ins -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WalkIn:
    """What the desk was told: the entry written (the receiver's) and the skips on the way."""

    entry: TurnEntry
    skipped: list[TurnEntry]
    replayed: bool = False


def _clean_visit(project: Project, phone: str, visitor: str) -> tuple[str, str]:
    visitor = fold_spaces(visitor)
    if len(visitor) > VISITOR_MAX:
        raise ValidationFailed(
            fields={"visitor": _("At most %(n)d characters.") % {"n": VISITOR_MAX}}
        )
    phone = (phone or "").strip()
    return (normalise_phone(phone) if phone else ""), visitor


def _known(actor: User, project: Project, phone: str) -> Customer | None:
    if not phone:
        return None
    return (
        visible_customers(actor).filter(project=project, phones__phone=phone)
        .select_related("owner").first()
    )  # fmt: skip


def _day_row(project: Project, day) -> RotationDay:
    try:
        with transaction.atomic():
            row, _created = RotationDay.objects.get_or_create(project=project, day=day)
    except IntegrityError:  # another desk created it a moment ago
        row = RotationDay.objects.get(project=project, day=day)
    return row


def walk_in_take(
    *, actor: User, project: Project, phone: str = "", visitor: str = "",
    idempotency_key: str | None = None, now: datetime | None = None,
) -> WalkIn:  # fmt: skip
    """A visitor at the desk: to their owner, a stand-in, or whoever's turn it is."""
    now = now or timezone.now()
    policies.ensure_can_run_desk(actor=actor, project=project)
    key = (idempotency_key or "").strip()[:64] or None
    if key and (earlier := _replay(actor, key)):
        return earlier
    phone, visitor = _clean_visit(project, phone, visitor)
    customer = _known(actor, project, phone)
    day = today_of(project, now)
    _day_row(project, day)
    try:
        with transaction.atomic():
            return _take(actor, project, day, now, customer, phone, visitor, key)
    except IntegrityError:
        if key and (earlier := _replay(actor, key)):
            return earlier
        raise


def _replay(actor: User, key: str) -> WalkIn | None:
    entry = TurnEntry.objects.filter(actor=actor, idempotency_key=key).first()
    if entry is None:
        return None
    return WalkIn(entry=entry, skipped=list(entry.skips.order_by("seq")), replayed=True)


def _take(actor, project, day, now, customer, phone, visitor, key) -> WalkIn:
    conf = project_rules(project).reception
    row = RotationDay.objects.select_for_update().get(project=project, day=day)
    roster = list(
        DutyEntry.objects.select_for_update().filter(project=project, day=day).order_by("id")
    )
    by_id = {e.consultant_id: e for e in roster}
    owner_id = customer.owner_id if customer is not None else None
    owner_entry = by_id.get(owner_id) if owner_id else None
    plan = rules.next_turn(
        rules.candidates_of(roster), order=conf.order, makeup=conf.makeup, pointer=row.pointer_id,
        at=local_time_of(project, now),
    )  # fmt: skip
    seq = row.seq
    skipped: list[TurnEntry] = []
    common = {"project": project, "day": day, "at": now, "actor": actor}
    if owner_entry is not None and owner_entry.status in (rules.ON_DUTY, rules.BUSY):
        kind, receiver, owner = rules.OWNER, owner_id, None
    elif plan.receiver is None:
        raise Conflict(
            _("Nobody on the roster is free. Ask the visitor to wait a moment."),
            code=Code.NOBODY_FREE,
        )
    elif owner_id:
        # the owner is not here: whoever's turn it is stands in and keeps their turn
        kind, receiver, owner = rules.STAND_IN, plan.receiver, owner_id
    else:
        kind = rules.MAKEUP if plan.makeup else rules.TURN
        receiver, owner = plan.receiver, None
    seq += 1
    entry = TurnEntry.objects.create(
        **common, seq=seq, kind=kind, consultant_id=receiver, owner_id=owner,
        customer=customer, visitor=visitor, phone=phone, idempotency_key=key,
    )  # fmt: skip
    if kind in (rules.TURN, rules.MAKEUP):
        for consultant_id, reason in plan.skipped:
            seq += 1
            skipped.append(TurnEntry.objects.create(
                **common, seq=seq, kind=rules.SKIP, consultant_id=consultant_id,
                reason=reason, walk_in=entry,
            ))  # fmt: skip
        if plan.owed:
            DutyEntry.objects.filter(project=project, day=day, consultant_id__in=plan.owed).update(
                owed=F("owed") + 1, version=F("version") + 1
            )
        row.pointer_id = plan.pointer
    taken = {"status": rules.BUSY, "status_since": now, "version": F("version") + 1}
    if kind == rules.TURN:
        taken["received"] = F("received") + 1
    if kind == rules.MAKEUP:
        taken |= {"received": F("received") + 1, "owed": F("owed") - 1}
    DutyEntry.objects.filter(project=project, day=day, consultant_id=receiver).update(**taken)
    row.seq = seq
    row.save(update_fields=["seq", "pointer"])
    return WalkIn(entry=entry, skipped=skipped)


def turn_skip(
    *, actor: User, project: Project, consultant: User, reason: str = "no_answer",
    now: datetime | None = None,
) -> TurnEntry:  # fmt: skip
    """轮空 by hand: the consultant whose turn it was did not come when called. The rotation
    goes on after them; a make-up turn is owed as the project rules say (away: not busy)."""
    now = now or timezone.now()
    policies.ensure_can_run_desk(actor=actor, project=project)
    if reason not in rules.SKIP_REASONS:
        raise ValidationFailed(fields={"reason": _("Choose why the turn was skipped.")})
    day = today_of(project, now)
    _day_row(project, day)
    conf = project_rules(project).reception
    with transaction.atomic():
        row = RotationDay.objects.select_for_update().get(project=project, day=day)
        entry = DutyEntry.objects.filter(
            project=project, day=day, consultant_id=consultant.pk
        ).first()
        if entry is None or entry.status == rules.OFF:
            raise NotFound(_("Not on today's roster."), code=Code.NOT_ON_ROSTER)
        row.seq += 1
        skip = TurnEntry.objects.create(
            project=project, day=day, at=now, actor=actor, seq=row.seq, kind=rules.SKIP,
            consultant=consultant, reason=reason,
        )  # fmt: skip
        row.pointer = consultant
        row.save(update_fields=["seq", "pointer"])
        if rules.skip_owes(conf.makeup, rules.BUSY if reason == rules.BUSY else rules.AWAY):
            DutyEntry.objects.filter(pk=entry.pk).update(
                owed=F("owed") + 1, version=F("version") + 1
            )
    return skip
