"""Reads of ownership conflicts (撞单): the evidence of both sides as it stood when the
claimant registered, the outcome the project's rule proposes, and each consultant's recent
outcomes (My day), told without the other side's details."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from anchang.assignment import rules
from anchang.customers.choices import State
from anchang.customers.models import OwnershipConflict, Registration
from anchang.customers.phones import mask_phone
from anchang.customers.selectors import conflict_get
from anchang.dates import local_date
from anchang.followups.models import FollowUp
from anchang.org.models import User
from anchang.org.selectors import project_rules

DEAL_STATES = (State.SUBSCRIBED, State.OWNER)
MY_DAY_DAYS = 7
MY_DAY_ROWS = 10


@dataclass(frozen=True)
class Line:
    """One line of the timeline: when, whose side (owner or claimant), what."""

    at: datetime | None
    side: str
    text: str


@dataclass
class Case:
    conflict: OwnershipConflict
    evidence: rules.Evidence
    proposed: str
    reasons: list[str]
    timeline: list[Line]


def _owner_contacts(conflicts: list[OwnershipConflict]) -> dict[int, dict[str, Any]]:
    """For each conflict (by id), the owner's contacts with the customer before the
    claimant's registration: their first and last registration, last visit and last reached
    follow-up. One read of registrations and one of follow-ups for all the conflicts."""
    owned = [c for c in conflicts if c.owner_id]
    customers = {c.customer_id for c in owned}
    registrations: dict[int, list] = {}
    for customer, consultant, at, kind in (
        Registration.objects.filter(customer_id__in=customers)
        .exclude(outcome=Registration.Outcome.CONFLICT)
        .values_list("customer_id", "consultant_id", "occurred_at", "kind")
    ):
        registrations.setdefault(customer, []).append((consultant, at, kind))
    reached: dict[int, list] = {}
    for customer, author, at in FollowUp.objects.filter(
        customer_id__in=customers, reached=True
    ).values_list("customer_id", "author_id", "occurred_at"):
        reached.setdefault(customer, []).append((author, at))
    seen: dict[int, dict[str, Any]] = {}
    for c in owned:
        before = c.registration.occurred_at
        mine = [(at, kind) for who, at, kind in registrations.get(c.customer_id, ())
                if who == c.owner_id and at < before]  # fmt: skip
        visits = [at for at, kind in mine if kind == Registration.Kind.VISIT]
        calls = [
            at for who, at in reached.get(c.customer_id, ()) if who == c.owner_id and at < before
        ]
        seen[c.pk] = {
            "first": min((at for at, _k in mine), default=None),
            "last": max((at for at, _k in mine), default=None),
            "visits": max(visits, default=None),
            "reached": max(calls, default=None),
        }
    return seen


def evidence(
    conflict: OwnershipConflict, seen: dict[str, Any] | None = None
) -> tuple[rules.Evidence, dict[str, Any]]:
    """The evidence the ownership rule weighs, as of the claimant's registration (`seen`:
    the owner's contacts, when read with other conflicts')."""
    registration = conflict.registration
    at = registration.occurred_at
    tz = project_rules(conflict.project).tz
    if seen is None:
        seen = _owner_contacts([conflict]).get(conflict.pk, {})
    contacts = [t for t in (seen.get("last"), seen.get("reached")) if t is not None]
    last = max(contacts) if contacts else None
    day = local_date(tz, at)
    facts = rules.Evidence(
        has_deal=conflict.customer.state in DEAL_STATES,
        days_since_reached=(day - local_date(tz, last)).days if last else None,
        same_day=bool(seen.get("first")) and local_date(tz, seen["first"]) == day,
        claimant_visit=registration.kind == Registration.Kind.VISIT,
        via_second_phone=conflict.via_second_phone,
    )
    return facts, {**seen, "last_contact": last}


def propose(conflict: OwnershipConflict) -> tuple[str, list[dict]]:
    return propose_many([conflict])[conflict.pk]


def propose_many(conflicts: list[OwnershipConflict]) -> dict[int, tuple[str, list[dict]]]:
    """The project's ownership rule applied to each conflict's evidence (by id)."""
    seen = _owner_contacts(conflicts)
    out = {}
    for conflict in conflicts:
        conf = project_rules(conflict.project).ownership
        facts, _seen = evidence(conflict, seen.get(conflict.pk, {}))
        out[conflict.pk] = rules.propose(facts, protection_days=conf.protection_days,
                                         same_day_split=conf.same_day_split)  # fmt: skip
    return out


def case(*, actor: User, pk) -> Case:
    """A conflict the actor may decide, or has decided (404 otherwise), with its evidence
    and proposal."""
    conflict = conflict_get(actor=actor, pk=pk, decided=True)
    facts, seen = evidence(conflict)
    conf = project_rules(conflict.project).ownership
    proposed, reasons = rules.propose(facts, protection_days=conf.protection_days,
                                      same_day_split=conf.same_day_split)  # fmt: skip
    registration = conflict.registration
    owner_lines = [
        (seen.get("first"), _("First registered the customer")),
        (seen.get("visits"), _("Last received them at a visit")),
        (seen.get("reached"), _("Last reached them in a follow-up")),
    ]
    timeline = sorted(
        [Line(at, "owner", text) for at, text in owner_lines if at is not None]
        + [Line(registration.occurred_at, "claimant",
                _("Registered them (%(kind)s)") % {"kind": registration.get_kind_display()})],
        key=lambda line: line.at,
    )  # fmt: skip
    if facts.has_deal:
        timeline.append(Line(None, "owner", _("Has a deal with them (%(state)s)")
                             % {"state": conflict.customer.get_state_display()}))  # fmt: skip
    return Case(
        conflict=conflict, evidence=facts, proposed=proposed,
        reasons=[rules.reason_text(r) for r in reasons], timeline=timeline,
    )  # fmt: skip


def my_day_conflicts(actor: User, today: date) -> dict[str, Any]:
    """撞单 outcomes of the last days that concern the actor, as the claimant or the owner: the
    decision, never the other consultant's name, and the customer only if the actor has them."""
    since = today - timedelta(days=MY_DAY_DAYS)
    rows = list(
        OwnershipConflict.objects.filter(Q(claimant=actor) | Q(owner=actor))
        .exclude(status=OwnershipConflict.Status.OPEN)
        .filter(resolved_at__date__gte=since)
        .select_related("customer")
        .order_by("-resolved_at")[:MY_DAY_ROWS]
    )
    out = []
    for c in rows:
        mine = c.customer.owner_id == actor.pk
        out.append({
            "id": c.pk, "decided_at": c.resolved_at, "status": c.status,
            "text": _outcome_text(c, claimant=c.claimant_id == actor.pk),
            "customer": c.customer_id if mine else None,
            "customer_name": c.customer.name if mine else "",
            "phone": "" if mine else mask_phone(c.customer.phone),
        })  # fmt: skip
    return {"conflict_outcomes": out}


def _outcome_text(conflict: OwnershipConflict, *, claimant: bool) -> str:
    S = OwnershipConflict.Status
    if claimant:
        return {
            S.KEPT: _("The customer you registered stays with their consultant."),
            S.TRANSFERRED: _("The customer you registered is yours now."),
            S.SPLIT: _("The customer you registered stays with their consultant; you share a "
                       "deal's credit as the stand-in."),
        }[conflict.status]  # fmt: skip
    return {
        S.KEPT: _("Your customer stays yours."),
        S.TRANSFERRED: _("Your customer went to the colleague who registered them."),
        S.SPLIT: _("Your customer stays yours; a deal's credit is shared with the colleague "
                   "who registered them."),
    }[conflict.status]  # fmt: skip
