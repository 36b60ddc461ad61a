"""Reception rotation (排轮/轮序) as data and pure functions: whose turn a walk-in is, who is
skipped on the way and who is owed a make-up turn (补接). Plain values in, a plan out;
nothing here touches the database (services.reception writes what the plan says).

The three order rules a project chooses from (`reception.order`):
- sign_in       签到顺序: the consultants in the order they signed in, round and round;
- fewest_today  今日接待最少: whoever has received the fewest new visitors today, then the
                earlier sign-in;
- time_slots    固定时段: among those whose slot covers the moment, in sign-in order; when
                nobody's slot does, everyone on duty in sign-in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pydantic import Field, model_validator

from anchang.org.rules import RuleSection, Section

ORDERS = ("sign_in", "fewest_today", "time_slots")
ORDER_LABELS = {
    "sign_in": _("Sign-in order"),
    "fewest_today": _("Fewest received today first"),
    "time_slots": _("Fixed time slots"),
}
# Who is owed a make-up turn (补接) when skipped: nobody, the busy (with another visitor,
# the field's usual rule), or the busy and the away alike.
MAKEUPS = ("none", "busy", "busy_and_away")
MAKEUP_LABELS = {
    "none": _("Nobody (a skipped turn is lost)"),
    "busy": _("Who was busy with another visitor"),
    "busy_and_away": _("Who was busy or away"),
}

# A consultant's state on the day's roster (值班).
ON_DUTY, BUSY, AWAY, OFF = "on_duty", "busy", "away", "off"
STATUS_LABELS = {
    ON_DUTY: pgettext_lazy("duty status", "Free"),
    BUSY: pgettext_lazy("duty status", "With a visitor"),
    AWAY: pgettext_lazy("duty status", "Away"),
    OFF: pgettext_lazy("duty status", "Signed out"),
}

# What a button that puts one in a state says (the state's own label reads as a fact).
STATUS_ACTIONS = {
    ON_DUTY: pgettext_lazy("duty action", "Free"),
    BUSY: pgettext_lazy("duty action", "With a visitor"),
    AWAY: pgettext_lazy("duty action", "Step away"),
    OFF: pgettext_lazy("duty action", "Sign out"),
}

# The ledger's entries (接待台账): every turn, skip and stand-in.
TURN, MAKEUP, SKIP, OWNER, STAND_IN = "turn", "makeup", "skip", "owner", "stand_in"
KIND_LABELS = {
    TURN: pgettext_lazy("reception", "Turn"),  # 轮接
    MAKEUP: pgettext_lazy("reception", "Make-up turn"),  # 补接
    SKIP: pgettext_lazy("reception", "Skipped"),  # 轮空
    OWNER: pgettext_lazy("reception", "To the owner"),  # 老客户归属
    STAND_IN: pgettext_lazy("reception", "Stand-in"),  # 义务接待
}
# Why a consultant was skipped.
SKIP_REASONS = {
    BUSY: _("busy with another visitor"),
    AWAY: _("away"),
    "no_answer": _("did not come when called"),
}

# Each trade's words at the desk: what a walk-in is and who receives it.
DESK_WORDS = {
    "real_estate": {
        "visit": pgettext_lazy("real_estate", "Walk-in visitor"),  # 来访客户
        "receiver": pgettext_lazy("real_estate", "Property consultant"),  # 置业顾问
        "desk": pgettext_lazy("real_estate", "Sales-centre reception"),  # 案场前台
    },
    "dealership": {
        "visit": pgettext_lazy("dealership", "Showroom visitor"),  # 进店客户
        "receiver": pgettext_lazy("dealership", "Sales consultant"),  # 销售顾问
        "desk": pgettext_lazy("dealership", "Showroom reception"),  # 展厅前台
    },
    "home_improvement": {
        "visit": pgettext_lazy("home_improvement", "Store visitor"),  # 到店客户
        "receiver": pgettext_lazy("home_improvement", "Home consultant"),  # 家装顾问
        "desk": pgettext_lazy("home_improvement", "Store reception"),  # 门店前台
    },
}


def desk_words(trade: str | None) -> dict[str, Any]:
    return DESK_WORDS.get(trade or "", DESK_WORDS["real_estate"])


@dataclass(frozen=True)
class Candidate:
    """One consultant on the day's roster, as the rotation reads them."""

    consultant_id: int
    signed_in_at: datetime
    status: str
    received: int = 0  # new visitors received today (turns and make-ups)
    owed: int = 0  # make-up turns owed
    slot: tuple[time, time] | None = None


@dataclass(frozen=True)
class Plan:
    """What taking the next turn does: who receives (None: nobody is free), who is skipped on
    the way and who of them is owed a make-up turn, and where the rotation's pointer goes."""

    receiver: int | None
    makeup: bool = False
    skipped: tuple[tuple[int, str], ...] = ()  # (consultant, reason), in order
    owed: tuple[int, ...] = ()  # of the skipped, who are owed a make-up turn
    pointer: int | None = None  # the last to take a regular turn, after the plan
    notes: tuple[str, ...] = field(default=())


def candidates_of(roster: Sequence[Any]) -> list[Candidate]:
    """The roster's entries (anything with DutyEntry's attributes) as the rotation reads them."""
    return [
        Candidate(
            consultant_id=e.consultant_id, signed_in_at=e.signed_in_at, status=e.status,
            received=e.received, owed=e.owed,
            slot=(e.slot_start, e.slot_end) if e.slot_start is not None else None,
        )
        for e in roster
    ]  # fmt: skip


def _in_slot(candidate: Candidate, at: time) -> bool:
    if candidate.slot is None:
        return False
    start, end = candidate.slot
    return start <= at < end if start <= end else at >= start or at < end  # over midnight


def _after(order: Sequence[Candidate], pointer: int | None) -> list[Candidate]:
    """The roster in sign-in order, starting after the consultant at the pointer."""
    ids = [c.consultant_id for c in order]
    if pointer not in ids:
        return list(order)
    at = ids.index(pointer) + 1
    return list(order[at:]) + list(order[:at])


def next_turn(
    roster: Sequence[Candidate], *, order: str, makeup: str, pointer: int | None, at: time
) -> Plan:
    """Whose turn the next new visitor is. Signed-out consultants are not in the rotation; a
    free consultant owed a make-up turn receives first (the pointer stays); otherwise the
    order rule picks, and under the round rules (sign-in, slots) the busy and the away met
    on the way are skipped, each a ledger entry, owed a make-up turn as the project rules
    say."""
    if order not in ORDERS:
        raise ValueError(order)
    present = sorted(
        (c for c in roster if c.status != OFF), key=lambda c: (c.signed_in_at, c.consultant_id)
    )
    free = [c for c in present if c.status == ON_DUTY]
    owed = [c for c in free if c.owed > 0]
    if owed:
        return Plan(receiver=owed[0].consultant_id, makeup=True, pointer=pointer)
    if not free:
        return Plan(receiver=None, pointer=pointer)
    if order == "fewest_today":
        # nobody loses a turn here: whoever was busy still has the fewest when free again
        chosen = min(free, key=lambda c: (c.received, c.signed_in_at, c.consultant_id))
        return Plan(receiver=chosen.consultant_id, pointer=chosen.consultant_id)
    ring = present
    if order == "time_slots":
        in_slot = [c for c in present if _in_slot(c, at)]
        if any(c.status == ON_DUTY for c in in_slot):
            ring = in_slot
    skipped: list[tuple[int, str]] = []
    owes: list[int] = []
    for candidate in _after(ring, pointer):
        if candidate.status == ON_DUTY:
            return Plan(
                receiver=candidate.consultant_id, skipped=tuple(skipped), owed=tuple(owes),
                pointer=candidate.consultant_id,
            )  # fmt: skip
        skipped.append((candidate.consultant_id, candidate.status))
        if makeup == "busy_and_away" or (makeup == "busy" and candidate.status == BUSY):
            owes.append(candidate.consultant_id)
    # everyone free is outside the slot ring: take the first free in sign-in order
    chosen = _after(free, pointer)[0]
    return Plan(receiver=chosen.consultant_id, pointer=chosen.consultant_id)


def skip_owes(makeup: str, reason: str) -> bool:
    """Whether a consultant skipped for `reason` is owed a make-up turn."""
    return makeup == "busy_and_away" or (makeup == "busy" and reason == BUSY)


# --- assignment and handover: spreading customers over colleagues ---------------------

SPREADS = ("least_loaded", "round_robin")
SPREAD_LABELS = {
    "least_loaded": _("Least loaded first"),
    "round_robin": _("In turn"),
}


@dataclass(frozen=True)
class Taker:
    """A colleague customers may go to: how many in-play customers they hold now, and how
    many more the hold cap lets them take (None: no cap, the manager went over it)."""

    user_id: int
    held: int
    room: int | None


@dataclass(frozen=True)
class Spread:
    """Who gets which customer, and the customers nobody could take (every taker full)."""

    to: dict[int, list[int]]
    left: tuple[int, ...] = ()


def spread(customers: Sequence[tuple[int, bool]], takers: Sequence[Taker], *, how: str) -> Spread:
    """Give each customer (id, in play) to one of `takers`: `least_loaded` to whoever holds the
    fewest in-play customers so far (then the order given), `round_robin` in turn. A taker
    whose room is used up takes no more customers in play (owners and subscribed customers
    do not count toward the cap, so they still go)."""
    if how not in SPREADS:
        raise ValueError(how)
    held = {t.user_id: t.held for t in takers}
    room = {t.user_id: t.room for t in takers}
    order = [t.user_id for t in takers]
    to: dict[int, list[int]] = {t.user_id: [] for t in takers}
    left: list[int] = []
    turn = 0
    for customer_id, in_play in customers:
        fits = [u for u in order if not in_play or room[u] is None or room[u] > 0]
        if not fits:
            left.append(customer_id)
            continue
        if how == "least_loaded":
            chosen = min(fits, key=lambda u: (held[u], order.index(u)))
        else:
            ring = order[turn % len(order) :] + order[: turn % len(order)]
            chosen = next(u for u in ring if u in fits)
            turn = order.index(chosen) + 1
        to[chosen].append(customer_id)
        if in_play:
            held[chosen] += 1
            if room[chosen] is not None:
                room[chosen] -= 1
    return Spread(to=to, left=tuple(left))


# --- ownership conflicts (撞单) decided on evidence ----------------------------------------

KEEP, TRANSFER, SPLIT = "kept", "transferred", "split"  # OwnershipConflict.Status values
# Why an outcome is proposed: one line of evidence each, worded for the manager.
REASON_TEXTS = {
    "deal": _("The owner has a deal with this customer."),
    "protected": _(
        "The owner reached the customer %(days)s days before the claimant registered them, "
        "inside the %(limit)s days of protection."
    ),
    "lapsed": _(
        "The owner last reached the customer %(days)s days before, beyond the %(limit)s days "
        "of protection."
    ),
    "never_reached": _("The owner never reached the customer."),
    "same_day": _("Both registered the customer on the same day."),
    "claimant_visit": _("The claimant received the customer at a visit."),
    "second_phone": _("The claimant registered the customer's second number (a family member)."),
}


@dataclass(frozen=True)
class Evidence:
    """What the ownership rule weighs, as it stood when the claimant registered."""

    has_deal: bool  # subscribed or an owner (业主): a deal closes the question
    days_since_reached: int | None  # the owner's last reached contact before; None: never
    same_day: bool  # the owner first registered them on the claimant's day
    claimant_visit: bool  # the claimant's registration is a visit, not a call
    via_second_phone: bool


def propose(e: Evidence, *, protection_days: int, same_day_split: bool) -> tuple[str, list]:
    """The outcome the project's rule proposes, and the evidence lines that decide it:
    a deal or a reached contact inside the protection period keeps the owner; the same day
    splits the credit (when the project says so); otherwise the claimant takes them."""
    reasons: list[dict] = []
    if e.via_second_phone:
        reasons.append({"code": "second_phone"})
    if e.has_deal:
        return KEEP, [{"code": "deal"}, *reasons]
    if e.same_day and same_day_split:
        return SPLIT, [{"code": "same_day"}, *reasons]
    if e.days_since_reached is not None and e.days_since_reached <= protection_days:
        return KEEP, [
            {"code": "protected", "days": e.days_since_reached, "limit": protection_days},
            *reasons,
        ]
    lapse = (
        {"code": "never_reached"}
        if e.days_since_reached is None
        else {"code": "lapsed", "days": e.days_since_reached, "limit": protection_days}
    )
    if e.claimant_visit:
        reasons.append({"code": "claimant_visit"})
    return TRANSFER, [lapse, *reasons]


def reason_text(reason: dict) -> str:
    text = REASON_TEXTS.get(reason.get("code", ""))
    if text is None:
        return ""
    values = {k: v for k, v in reason.items() if k != "code"}
    return str(text) % values if values else str(text)


class OwnershipRules(Section):
    """撞单: how long a reached contact protects the owner, and what the same day proposes."""

    protection_days: int = Field(30, ge=1, le=365)
    same_day_split: bool = True


# --- channel reports (渠道报备) ----------------------------------------------------------

# The protection models (DOMAIN §6): report → deal in one window; report → visit, then visit
# → deal, in two windows; or visit → deal (the report protects nothing until the visit).
CHANNEL_MODELS = ("report_deal", "report_visit_deal", "visit_deal")
CHANNEL_MODEL_LABELS = {
    "report_deal": _("Report → deal, in one window"),
    "report_visit_deal": _("Report → visit, then visit → deal"),
    "visit_deal": _("Visit → deal"),
}
INVALID_REASONS = {
    "known": _("already a customer of the project"),
    "reported": _("already reported by a channel"),
    "walk_in": _("came on their own (a manager decided)"),
}


def report_windows(model: str, *, reported_at: datetime, visit_days: int,
                   deal_days: int) -> tuple[datetime | None, datetime | None]:  # fmt: skip
    """(visit by, deal by) of a new report. report_deal: the deal by the deal window, no
    visit needed; report_visit_deal and visit_deal: the visit by the visit window, and the
    deal window starts at the visit (visit_deal credits nothing before it; a report that
    never leads to a visit expires like the others, not protecting the phone for ever)."""
    if model == "report_deal":
        return None, reported_at + timedelta(days=deal_days)
    return reported_at + timedelta(days=visit_days), None


def deal_by_after_visit(model: str, *, visited_at: datetime, deal_days: int,
                        current: datetime | None) -> datetime | None:  # fmt: skip
    """The deal window once the customer visits (report_deal keeps its own)."""
    if model == "report_deal":
        return current
    return visited_at + timedelta(days=deal_days)


class ChannelRules(Section):
    """渠道报备: the protection model and its windows."""

    model: str = "report_visit_deal"
    visit_days: int = Field(7, ge=1, le=90)
    deal_days: int = Field(30, ge=1, le=365)
    # an agent's reports per hour, at every door (the API's tokens included)
    reports_per_hour: int = Field(30, ge=1, le=1000)

    @model_validator(mode="after")
    def _known_model(self) -> ChannelRules:
        if self.model not in CHANNEL_MODELS:
            raise ValueError(f"model: one of {', '.join(CHANNEL_MODELS)}")
        return self


class ReceptionRules(Section):
    """排轮: the walk-in rotation's order, make-up turns and stand-ins."""

    order: str = "sign_in"
    makeup: str = "busy"
    # 义务接待: a stand-in is proposed on the customer's deal for this many days after the
    # visit (their share of the credit is the deals section's stand_in_share_percent)
    stand_in_days: int = Field(30, ge=1, le=365)

    @model_validator(mode="after")
    def _known(self) -> ReceptionRules:
        if self.order not in ORDERS:
            raise ValueError(f"order: one of {', '.join(ORDERS)}")
        if self.makeup not in MAKEUPS:
            raise ValueError(f"makeup: one of {', '.join(MAKEUPS)}")
        return self


class ImportRules(Section):
    """导入: how long an import may be reverted (what it created, untouched since)."""

    revert_days: int = Field(7, ge=0, le=90)


def _trade_defaults(trade: str | None) -> dict[str, Any]:
    if trade == "dealership":
        # showrooms commonly even out the day's intake rather than keep a strict round
        return {"order": "fewest_today"}
    return {}


def _choices(key: str) -> tuple[str, ...] | None:
    return {
        "reception.order": ORDERS, "reception.makeup": MAKEUPS, "channels.model": CHANNEL_MODELS,
    }.get(key)  # fmt: skip


RULE_SECTIONS = (
    RuleSection(
        key="reception", model=ReceptionRules, order=70, trade_defaults=_trade_defaults,
        choices=_choices,
    ),
    RuleSection(key="ownership", model=OwnershipRules, order=71),
    RuleSection(key="channels", model=ChannelRules, order=72, choices=_choices),
    RuleSection(key="imports", model=ImportRules, order=73),
)  # fmt: skip
