"""The deal's rules (docs/domain.md#deals) as data and pure functions: each trade's stages and
the moves between them, the milestone plans, discounts, money and the unit catalogue's
patterns. Plain values in, plain values (with reasons) out; nothing here touches the database.

A trade differs from another in this data, never in an `if trade == …`: its stages, which
stage makes the customer an owner, which unit status each stage gives, its side moves and
its milestone plan are rows of the tables below, and a project changes the numbers (hold
minutes, discount limit, milestone offsets) in its rules."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pydantic import Field, field_validator

from anchang.org.rules import RuleSection, Section

TRADES = ("real_estate", "dealership", "home_improvement")

# ---------------------------------------------------------------------------------------
# Stages: every trade's table. A forward move goes to one of `forward[stage]`; a side move
# (换房, 更名, 延迟签约) keeps the stage and needs a manager's approval; a cancellation ends
# the deal (退订/退房, 取消订单, 跑单), needs approval once the deal is past `free_cancel`,
# and returns the unit to sale.


@dataclass(frozen=True)
class Move:
    to: str
    # "no_loan": only for a deal paid without a loan (full payment skips 按揭放款);
    # "has_loan": only for a deal with one.
    when: str = ""


@dataclass(frozen=True)
class StageTable:
    stages: tuple[str, ...]  # in order; the first is where a deal starts
    forward: dict[str, tuple[Move, ...]]
    owner_from: str  # the stage that makes the customer an owner (业主)
    unit_status: dict[str, str]  # the unit's status once the deal reaches a stage
    side_moves: tuple[str, ...]  # change_unit, rename, delay (each approved)
    side_from: tuple[str, ...]  # stages in which side moves may be asked for
    cancel_kind: str  # the word of this trade's cancellation
    cancel_from: tuple[str, ...]  # stages a deal may be cancelled in
    free_cancel: tuple[str, ...]  # of those, where no approval is needed (none by default)
    # where the clock of "paid and not signed" (stale valuable customers) stops
    signed: str
    has_units: bool
    sells: str  # what the catalogue holds: flats (in buildings), vehicles, packages
    # stages at which a designer is proposed (派单); empty: the trade dispatches nothing
    dispatch_at: tuple[str, ...] = ()

    def next_stages(self, stage: str, *, has_loan: bool) -> tuple[str, ...]:
        allowed = {"": True, "no_loan": not has_loan, "has_loan": has_loan}
        return tuple(m.to for m in self.forward.get(stage, ()) if allowed[m.when])

    def is_final(self, stage: str) -> bool:
        return not self.forward.get(stage)

    def index(self, stage: str) -> int:
        return self.stages.index(stage)

    def reached(self, stage: str, target: str) -> bool:
        """Whether a deal at `stage` has reached `target` (or gone past it)."""
        return self.index(stage) >= self.index(target)


STAGE_TABLES: dict[str, StageTable] = {
    "real_estate": StageTable(
        stages=("subscription", "signing", "filing", "loan", "handover"),
        forward={
            "subscription": (Move("signing"),),
            "signing": (Move("filing"),),
            "filing": (Move("loan", when="has_loan"), Move("handover", when="no_loan")),
            "loan": (Move("handover"),),
        },
        owner_from="signing",
        unit_status={
            "subscription": "subscribed",
            "signing": "signed",
            "filing": "signed",
            "loan": "signed",
            "handover": "sold",
        },  # fmt: skip
        side_moves=("change_unit", "rename", "delay", "reprice"),
        side_from=("subscription", "signing"),
        cancel_kind="refund_unit",
        cancel_from=("subscription", "signing", "filing", "loan"),
        free_cancel=(),
        signed="signing",
        has_units=True,
        sells="flats",
    ),
    "dealership": StageTable(
        stages=("order", "delivery", "first_service"),
        forward={"order": (Move("delivery"),), "delivery": (Move("first_service"),)},
        owner_from="delivery",
        unit_status={"order": "subscribed", "delivery": "sold", "first_service": "sold"},
        side_moves=("change_unit", "rename", "delay", "reprice"),
        side_from=("order",),
        cancel_kind="cancel_order",
        cancel_from=("order",),
        free_cancel=(),
        signed="delivery",
        has_units=True,
        sells="vehicles",
    ),
    "home_improvement": StageTable(
        stages=(
            "deposit",
            "measuring",
            "design_fee",
            "quote",
            "contract",
            "started",
            "completed",
        ),  # fmt: skip
        forward={
            "deposit": (Move("measuring"),),
            "measuring": (Move("design_fee"),),
            "design_fee": (Move("quote"),),
            "quote": (Move("contract"),),
            "contract": (Move("started"),),
            "started": (Move("completed"),),
        },
        owner_from="contract",
        unit_status={},
        side_moves=("rename", "delay", "reprice"),
        side_from=("deposit", "measuring", "design_fee", "quote"),
        cancel_kind="ran_off",
        cancel_from=("deposit", "measuring", "design_fee", "quote"),
        free_cancel=(),
        signed="contract",
        has_units=False,
        sells="packages",
        dispatch_at=("deposit", "measuring"),
    ),
}

STAGE_LABELS: dict[str, Any] = {
    "subscription": pgettext_lazy("deal stage", "Subscription"),
    "signing": pgettext_lazy("deal stage", "Signing"),
    "filing": pgettext_lazy("deal stage", "Filing"),
    "loan": pgettext_lazy("deal stage", "Loan disbursed"),
    "handover": pgettext_lazy("deal stage", "Handover"),
    "order": pgettext_lazy("deal stage", "Order"),
    "delivery": pgettext_lazy("deal stage", "Delivery"),
    "first_service": pgettext_lazy("deal stage", "First service"),
    "deposit": pgettext_lazy("deal stage", "Deposit"),
    "measuring": pgettext_lazy("deal stage", "Measuring"),
    "design_fee": pgettext_lazy("deal stage", "Design fee"),
    "quote": pgettext_lazy("deal stage", "Drawings and quote"),
    "contract": pgettext_lazy("deal stage", "Contract"),
    "started": pgettext_lazy("deal stage", "Work started"),
    "completed": pgettext_lazy("deal stage", "Completed"),
}
ALL_STAGES = tuple(dict.fromkeys(s for t in STAGE_TABLES.values() for s in t.stages))

CANCEL_LABELS: dict[str, Any] = {
    "refund_unit": pgettext_lazy("deal cancellation", "Cancelled (unit returned)"),
    "cancel_order": pgettext_lazy("deal cancellation", "Order cancelled"),
    "ran_off": pgettext_lazy("deal cancellation", "Lost after deposit"),
}
SIDE_MOVE_LABELS: dict[str, Any] = {
    "change_unit": _("Change of unit"),
    "rename": _("Change of buyer's name"),
    "delay": _("Delayed signing"),
    "reprice": _("New deal price"),
}


def stage_table(trade: str) -> StageTable:
    return STAGE_TABLES.get(trade) or STAGE_TABLES["real_estate"]


@dataclass(frozen=True)
class MoveRefusal:
    code: str  # anchang.deals.errors.Code
    message: str


def forward_refusal(
    table: StageTable, *, stage: str, to: str, has_loan: bool
) -> MoveRefusal | None:
    """Why a deal at `stage` may not move forward to `to`; None when the table allows it."""
    if to not in table.stages:
        return MoveRefusal("unknown_stage", str(_("This trade has no such stage.")))
    allowed = table.next_stages(stage, has_loan=has_loan)
    if to in allowed:
        return None
    if to == "handover" and stage == "filing" and has_loan:
        return MoveRefusal(
            "stage_not_allowed", str(_("The loan must be disbursed before the handover."))
        )
    if not allowed:
        return MoveRefusal("stage_not_allowed", str(_("This deal is at its last stage.")))
    return MoveRefusal(
        "stage_not_allowed",
        str(_("From %(stage)s a deal moves on to %(next)s only."))
        % {
            "stage": STAGE_LABELS[stage],
            "next": " / ".join(str(STAGE_LABELS[s]) for s in allowed),
        },
    )


# ---------------------------------------------------------------------------------------
# Milestone tasks (DOMAIN §6): created when their anchor is set (a stage entered, the due
# signing date) and dated from it. `closes_with`: the follow-up kinds that close the task;
# from subscription to the loan (each trade's equivalent) a phone call or a visit is
# required: an SMS alone does not close it.


@dataclass(frozen=True)
class PlanItem:
    key: str
    anchor: str  # a stage of the trade, or "due" (the due signing / delivery date)
    offset: int  # days, or months when months=True; negative: before the anchor
    months: bool = False
    closes_with: tuple[str, ...] = ("phone", "visit")


CALL = ("phone", "visit")
ANY_CONTACT = ("phone", "visit", "wechat", "sms", "event")

MILESTONE_PLANS: dict[str, tuple[PlanItem, ...]] = {
    "real_estate": (
        PlanItem("congratulate", "subscription", 0),
        PlanItem("after_subscription", "subscription", 3),
        PlanItem("before_signing", "due", -1),
        PlanItem("after_signing", "signing", 7),
        PlanItem("filing_notice", "filing", 0),
        PlanItem("loan_notice", "loan", 0),
        PlanItem("handover_greeting", "handover", 0, closes_with=ANY_CONTACT),
        PlanItem("quality_3", "handover", 3, months=True),
        PlanItem("quality_11", "handover", 11, months=True),
        PlanItem("quality_23", "handover", 23, months=True),
        PlanItem("quality_35", "handover", 35, months=True),
    ),
    "dealership": (
        PlanItem("congratulate", "order", 0),
        PlanItem("before_delivery", "due", -1),
        PlanItem("after_delivery", "delivery", 3),
        PlanItem("first_service_reminder", "delivery", 5, months=True),
        PlanItem("after_first_service", "first_service", 3),
        PlanItem("yearly_service", "delivery", 12, months=True, closes_with=ANY_CONTACT),
    ),
    "home_improvement": (
        PlanItem("congratulate", "deposit", 0),
        PlanItem("book_measuring", "deposit", 1),
        PlanItem("after_design_fee", "design_fee", 3),
        PlanItem("after_quote", "quote", 3),
        PlanItem("before_contract", "due", -1),
        PlanItem("start_notice", "started", 0),
        PlanItem("site_visit", "started", 15, closes_with=("visit",)),
        PlanItem("acceptance", "completed", 0, closes_with=("visit",)),
        PlanItem("warranty_3", "completed", 3, months=True),
        PlanItem("warranty_12", "completed", 12, months=True),
    ),
}

MILESTONE_LABELS: dict[str, Any] = {
    "congratulate": _("Congratulate on the purchase"),
    "after_subscription": _("Call 3 days after subscription"),
    "before_signing": _("Remind of the signing: documents and fees to bring"),
    "after_signing": _("Revisit 7 days after signing"),
    "filing_notice": _("Tell the owner the contract is filed"),
    "loan_notice": _("Tell the owner the loan is disbursed"),
    "handover_greeting": _("Handover greeting"),
    "quality_3": _("Quality-check visit, 3 months after handover"),
    "quality_11": _("Quality-check visit, 11 months after handover"),
    "quality_23": _("Quality-check visit, 23 months after handover"),
    "quality_35": _("Quality-check visit, 35 months after handover"),
    "before_delivery": _("Remind of the delivery: documents and payment to bring"),
    "after_delivery": _("Call 3 days after delivery"),
    "first_service_reminder": _("Remind of the first service"),
    "after_first_service": _("Call after the first service"),
    "yearly_service": _("Yearly service reminder"),
    "book_measuring": _("Book the measuring"),
    "after_design_fee": _("Call 3 days after the design fee"),
    "after_quote": _("Call 3 days after the quote"),
    "before_contract": _("Remind of the contract signing"),
    "start_notice": _("Tell the customer work has started"),
    "site_visit": _("Site visit 15 days into the work"),
    "acceptance": _("Acceptance visit at completion"),
    "warranty_3": _("Warranty visit, 3 months after completion"),
    "warranty_12": _("Warranty visit, 12 months after completion"),
}

# What a signing reminder lists (real estate; DOMAIN §6: documents and fees to bring).
BRING_TO_SIGNING = _(
    "ID cards of every buyer, household register, marriage certificate, the subscription "
    "form and deposit receipt, bank card; down payment and deed tax."
)


# What a task asks the consultant to say or bring, shown beside it (My day, the card).
TASK_HINTS: dict[str, Any] = {"before_signing": BRING_TO_SIGNING}


def closes_with_text(kinds: tuple[str, ...]):
    """How a task is closed, in words (an SMS alone never closes one that wants a call)."""
    if kinds == ("visit",):
        return _("a visit closes it")
    if "sms" not in kinds:
        return _("a call or a visit closes it; an SMS does not")
    return _("any reached contact closes it")


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def milestone_due(item: PlanItem, anchor_day: date, offsets: dict[str, int]) -> date:
    offset = offsets.get(item.key, item.offset)
    if item.months:
        return add_months(anchor_day, offset)
    return anchor_day + timedelta(days=offset)


def closes_task(item_closes_with: tuple[str, ...], kind: str, *, reached: bool) -> bool:
    """Whether a follow-up of `kind` closes a task: it must have reached the customer."""
    return reached and kind in item_closes_with


# ---------------------------------------------------------------------------------------
# Money: integer fen in the database, Decimal yuan at the doors, never float.

FEN_MAX = 10**13  # 1,000 亿 yuan: above any real price, below a BIGINT's edge
AMOUNT_CHARS = 20  # an amount as typed: "1,000,000,000,000.00"
NOTE_MAX = 300  # a note, a reason, a comment on a deal (the columns are this long)
SKIP_FLOORS_CHARS = 60  # "4,13,14,24,34": the floors a building leaves out


class MoneyError(ValueError):
    pass


_AMOUNT = re.compile(r"-?[0-9]{1,13}(\.[0-9]{1,2})?", re.ASCII)


def yuan_to_fen(value: str | int | Decimal) -> int:
    """A yuan amount (ASCII digits, up to 2 decimals, thousands commas allowed) as fen.
    Refuses floats, exponents, NaN, Unicode digits (１００), more than 2 decimals and
    amounts beyond FEN_MAX."""
    if isinstance(value, float | bool):
        raise MoneyError("not an exact amount")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyError("not a number")
        value = format(value, "f")
    text = str(value).strip().replace(",", "")
    if not _AMOUNT.fullmatch(text):
        raise MoneyError("not an amount")
    fen = int((Decimal(text) * 100).to_integral_value())
    if abs(fen) >= FEN_MAX:
        raise MoneyError("too large")
    return fen


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def yuan_plain(fen: int) -> str:
    """12345.60 — an amount as the audit log and the API keep it: yuan, 2 decimals, text."""
    return str(fen_to_yuan(fen))


def yuan_text(fen: int | None) -> str:
    """12,345.60 — a grouped figure for pages."""
    if fen is None:
        return ""
    return f"{fen_to_yuan(fen):,.2f}"


def discount_permille(standard_fen: int, deal_fen: int) -> int:
    """The discount in tenths of a percent (‰), rounded half up; 0 when there is none."""
    if standard_fen <= 0 or deal_fen >= standard_fen:
        return 0
    ratio = Decimal(standard_fen - deal_fen) * 1000 / Decimal(standard_fen)
    return int(ratio.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def needs_discount_approval(standard_fen: int, deal_fen: int, limit_permille: int) -> bool:
    return discount_permille(standard_fen, deal_fen) > limit_permille


def effective_status(status: str, held_until: datetime | None, now: datetime) -> str:
    """A unit's status as the board reads it: a hold past its minutes is available (the
    tick tidies the row later)."""
    if status == "held" and held_until is not None and held_until <= now:
        return "available"
    return status


# ---------------------------------------------------------------------------------------
# Buildings: a pattern of floors × units per floor and a naming rule.

UNIT_CODE_TOKENS = ("{building}", "{floor}", "{floor:02d}", "{unit}", "{unit:02d}")


@dataclass(frozen=True)
class UnitSlot:
    floor: int
    position: int
    code: str


class PatternError(ValueError):
    pass


def building_slots(
    *, building: str, floors: int, units_per_floor: int, pattern: str, skip_floors: tuple[int, ...]
) -> list[UnitSlot]:
    """Every unit of a building, floor by floor: the code from the naming rule, e.g.
    "{building}-{floor}{unit:02d}" → 3-1802. Floors in `skip_floors` (4, 13, 14 in many
    buildings) are left out but keep their number."""
    if not 1 <= floors <= 120 or not 1 <= units_per_floor <= 40:
        raise PatternError("floors 1–120, units per floor 1–40")
    if "{floor" not in pattern or "{unit" not in pattern:
        raise PatternError("the naming rule needs {floor} and {unit}")
    stray = re.sub(r"\{(building|floor|unit)(:02d)?\}", "", pattern)
    if "{" in stray or "}" in stray:
        raise PatternError("the naming rule knows {building}, {floor}, {unit} (and :02d)")
    slots = []
    for floor in range(1, floors + 1):
        if floor in skip_floors:
            continue
        for position in range(1, units_per_floor + 1):
            code = pattern.format(building=building, floor=floor, unit=position)
            slots.append(UnitSlot(floor, position, code))
    codes = [s.code for s in slots]
    if len(set(codes)) != len(codes):
        raise PatternError("the naming rule gives two units the same number")
    return slots


# ---------------------------------------------------------------------------------------
# Dispatch (派单, home improvement): the next designer for an order, by the project's rules.


@dataclass(frozen=True)
class Candidate:
    user_id: int
    priority: int  # lower first
    styles: tuple[str, ...]
    senior: bool
    open_orders: int  # active orders with a deposit
    paused_until: date | None
    quotes: int  # quotes in the conversion window
    contracts: int  # of which signed


@dataclass(frozen=True)
class Proposal:
    user_id: int | None
    reasons: tuple[str, ...]  # why this one, or why nobody


DISPATCH_REASON_LABELS: dict[str, Any] = {
    "style_fit": _("designs the customer's style"),
    "priority": _("next in the priority order"),
    "large_order": _("a large order: senior designers only"),
    "nobody_free": _("nobody is free: every designer is at the cap, paused or not converting"),
    "no_senior_free": _("no senior designer is free"),
}


def dispatch_refusal(c: Candidate, *, today: date, conf: DealRules) -> str | None:
    """Why a designer takes no new order now (a code): at the cap, paused, not converting."""
    if c.open_orders >= conf.dispatch_open_cap:
        return "dispatch_cap"
    if c.paused_until is not None and c.paused_until > today:
        return "dispatch_paused"
    if c.quotes >= conf.dispatch_conversion_quotes and (
        c.contracts * 100 < conf.dispatch_conversion_percent * c.quotes
    ):
        return "dispatch_not_converting"
    return None


def propose_designer(
    candidates: list[Candidate], *, style: str, amount_fen: int, today: date, conf: DealRules
) -> Proposal:
    """The next designer: those free to take an order (under the cap, not paused, converting),
    senior ones only for a large order, the customer's style first, then the project's
    priority order, then the fewest open orders."""
    free = [c for c in candidates if dispatch_refusal(c, today=today, conf=conf) is None]
    if not free:
        return Proposal(None, ("nobody_free",))
    large = amount_fen >= conf.dispatch_large_order_yuan * 100
    if large:
        free = [c for c in free if c.senior]
        if not free:
            return Proposal(None, ("no_senior_free",))
    fit = [c for c in free if style and style in c.styles]
    pool = fit or free
    best = min(pool, key=lambda c: (c.priority, c.open_orders, c.user_id))
    reasons = ["large_order"] if large else []
    reasons.append("style_fit" if fit else "priority")
    return Proposal(best.user_id, tuple(reasons))


# ---------------------------------------------------------------------------------------
# Settings a project may change (docs/domain.md#project-settings).


class DealRules(Section):
    """成交: holds, discounts, credit, milestone dates, collections and dispatch."""

    hold_minutes: int = Field(30, ge=1, le=7 * 24 * 60)
    holds_per_consultant: int = Field(2, ge=1, le=50)
    # in tenths of a percent (‰): 10 = 1 %
    consultant_discount_permille: int = Field(10, ge=0, le=1000)
    # 义务接待: split 50/50 with the owner unless the project says otherwise
    stand_in_share_percent: int = Field(50, ge=0, le=100)
    stale_valuable_days: int = Field(90, ge=1, le=3650)
    payment_reminder_days: int = Field(3, ge=0, le=90)  # selectors.REMINDER_DAYS_MAX
    # tasks are created this many days before they are due (the tick creates later ones)
    tasks_ahead_days: int = Field(7, ge=0, le=60)
    milestone_offsets: dict[str, int] = Field(default_factory=dict)
    dispatch_open_cap: int = Field(3, ge=1, le=100)
    dispatch_pause_days: int = Field(30, ge=0, le=365)
    dispatch_large_order_yuan: int = Field(200_000, ge=0, le=10**9)
    # a designer with this many quotes in 90 days and fewer contracts than the percentage
    # is not proposed (plans that do not convert)
    dispatch_conversion_quotes: int = Field(5, ge=1, le=1000)
    dispatch_conversion_percent: int = Field(20, ge=0, le=100)
    contract_form_days_out: int = Field(14, ge=1, le=365)

    @field_validator("milestone_offsets")
    @classmethod
    def _known_items(cls, value: dict[str, int]) -> dict[str, int]:
        keys = {item.key for plan in MILESTONE_PLANS.values() for item in plan}
        for key, offset in value.items():
            if key not in keys:
                raise ValueError(f"unknown milestone {key!r}")
            if not -365 <= offset <= 3650:
                raise ValueError(f"{key}: between -365 and 3650")
        return value


def _trade_defaults(trade: str | None) -> dict[str, Any]:
    if trade == "dealership":
        return {"hold_minutes": 60, "consultant_discount_permille": 20}
    if trade == "home_improvement":
        return {"hold_minutes": 60, "consultant_discount_permille": 50}
    return {}


RULE_SECTIONS = (
    RuleSection(key="deals", model=DealRules, order=80, trade_defaults=_trade_defaults),
)
