"""Grading (docs/domain.md#grading) and cadence (docs/domain.md#cadence) as pure functions.

No ORM here: these take plain values and return plain values with reasons, so they are
tested without a database (hypothesis for the band edges).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

# Real-estate checklist (Shimao-style): each criterion is True (met), False (rejected) or
# None (not known yet).
CRITERIA = (
    "accepts_product",
    "accepts_price",
    "purchasing_power",
    "unit_chosen",
    "attention",
    "decision_maker",
)
# Rejecting any of these makes a customer D.
DEAL_BREAKERS = ("accepts_product", "accepts_price", "purchasing_power")
# Buying signals (购买信号) a consultant ticks at a follow-up.
SIGNALS = (
    "deep_questions",
    "narrowed_units",
    "returned_within_3_days",
    "bargaining",
    "asked_payment",
)
SCALES = {"ABCD": ("A", "B", "C", "D"), "HABC": ("H", "A", "B", "C")}
GRADING_METHODS = ("checklist", "horizon")
# Dealership purchase horizon (docs/domain.md#grading-horizon): the field's codes and the days each
# stands for, so suggest_habc keeps the band edges.
HORIZON_DAYS = {"week": 7, "month": 30, "quarter": 90, "later": 365}

# Per-trade grading (docs/domain.md#trades). A checklist trade grades by criteria: any deal-breaker
# rejected → the lowest grade; all met → the top; the core met → the second; the base met →
# the third. A horizon trade grades by when the customer will buy; its criteria are the
# buying signals the grade page asks about.
TRADE_GRADING: dict[str, dict] = {
    "real_estate": {
        "scale": "ABCD",
        "method": "checklist",
        "criteria": list(CRITERIA),
        "deal_breakers": list(DEAL_BREAKERS),
        "core": ["accepts_product", "unit_chosen", "attention"],
        "base": ["accepts_product"],
        "signals": list(SIGNALS),
    },
    "dealership": {
        "scale": "HABC",
        "method": "horizon",
        "criteria": ["test_drive", "trade_in", "financing_asked", "trim_chosen", "decision_maker"],
        "deal_breakers": [],
        "core": [],
        "base": [],
        "signals": [
            "test_drive",
            "trade_in",
            "financing_asked",
            "trim_chosen",
            "returned_within_3_days",
            "bargaining",
        ],
    },
    "home_improvement": {
        "scale": "ABCD",
        "method": "checklist",
        "criteria": [
            "house_ready",
            "budget_confirmed",
            "style_settled",
            "measured",
            "accepts_quote",
            "decision_maker",
        ],
        "deal_breakers": ["budget_confirmed", "accepts_quote"],
        "core": ["house_ready", "budget_confirmed", "measured"],
        "base": ["house_ready"],
        "signals": [
            "measuring_booked",
            "asked_materials",
            "compared_quotes",
            "returned_within_3_days",
            "bargaining",
            "asked_payment",
        ],
    },
}
ALL_CRITERIA = tuple(dict.fromkeys(c for t in TRADE_GRADING.values() for c in t["criteria"]))
ALL_SIGNALS = tuple(dict.fromkeys(s for t in TRADE_GRADING.values() for s in t["signals"]))
# Signals that lift a horizon grade one step (never to the top: that needs the horizon).
HORIZON_LIFT = 3
DEFAULT_CADENCE = {"H": 0, "A": 7, "B": 14, "C": 30, "D": 90}
MIN_CONTENT = {"phone": 30, "visit": 50, "event": 30, "wechat": 0, "sms": 1}


@dataclass(frozen=True)
class Suggestion:
    grade: str | None
    reasons: tuple[str, ...] = field(default_factory=tuple)


def suggest_abcd(
    checks: dict[str, bool | None], signals: frozenset[str] = frozenset()
) -> Suggestion:
    """The real-estate checklist: A all six criteria; D any deal-breaker rejected; B product,
    unit chosen and attention; C accepts the product. Two or more buying signals lift C to B."""
    return suggest(spec_for_trade("real_estate"), checks, signals)


@dataclass(frozen=True)
class GradingSpec:
    """What a project's grading rules say, as plain values (built from org.rules)."""

    scale: tuple[str, ...]
    method: str
    criteria: tuple[str, ...]
    deal_breakers: tuple[str, ...] = ()
    core: tuple[str, ...] = ()
    base: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()


def spec_for_trade(trade: str) -> GradingSpec:
    t = TRADE_GRADING[trade]
    return GradingSpec(
        scale=SCALES[t["scale"]], method=t["method"], criteria=tuple(t["criteria"]),
        deal_breakers=tuple(t["deal_breakers"]), core=tuple(t["core"]), base=tuple(t["base"]),
        signals=tuple(t["signals"]),
    )  # fmt: skip


def suggest(
    spec: GradingSpec,
    checks: dict[str, bool | None],
    signals: frozenset[str] = frozenset(),
    horizon: str | None = None,
) -> Suggestion:
    """The grade the project's rules suggest: the one function the grade page, its live
    preview, the follow-up and the API call."""
    checks = {c: checks.get(c) for c in spec.criteria}
    signals = frozenset(s for s in signals if s in spec.signals)
    if spec.method == "horizon":
        return _by_horizon(spec, checks, signals, horizon)
    return _by_checklist(spec, checks, signals)


def _by_checklist(spec: GradingSpec, checks, signals) -> Suggestion:
    top, second, third, lowest = spec.scale[0], spec.scale[1], spec.scale[2], spec.scale[-1]
    rejected = [c for c in spec.deal_breakers if checks.get(c) is False]
    if rejected:
        return Suggestion(lowest, tuple(f"rejects:{c}" for c in rejected))
    if spec.criteria and all(checks.get(c) is True for c in spec.criteria):
        return Suggestion(top, ("all_criteria",))
    if spec.core and all(checks.get(c) is True for c in spec.core):
        return Suggestion(second, tuple(f"meets:{c}" for c in spec.core))
    if spec.base and all(checks.get(c) is True for c in spec.base):
        met = tuple(f"meets:{c}" for c in spec.base)
        if len(signals) >= 2:
            return Suggestion(second, (*met, *(f"signal:{s}" for s in sorted(signals))))
        return Suggestion(third, met)
    return Suggestion(None, ("not_enough_known",))


def _by_horizon(spec: GradingSpec, checks, signals, horizon) -> Suggestion:
    if horizon not in HORIZON_DAYS:
        return Suggestion(None, ("no_horizon",))
    base = suggest_habc(HORIZON_DAYS[horizon])
    grade = base.grade if base.grade in spec.scale else spec.scale[-1]
    reasons = [f"horizon:{horizon}"]
    shown = sorted({c for c, v in checks.items() if v is True} | set(signals))
    index = spec.scale.index(grade)
    if len(shown) >= HORIZON_LIFT and index >= 2:
        grade = spec.scale[index - 1]
        reasons += [f"signal:{s}" for s in shown]
    return Suggestion(grade, tuple(reasons))


def grade_from_score(score: int) -> str:
    """The 0-100 view: A ≥ 90, B ≥ 70, C ≥ 60, D < 60."""
    if not 0 <= score <= 100:
        raise ValueError("score must be between 0 and 100")
    if score >= 90:
        return "A"
    if score >= 70:
        return "B"
    if score >= 60:
        return "C"
    return "D"


def suggest_habc(horizon_days: int | None) -> Suggestion:
    """Dealership horizon: H within a week, A within a month, B within three, C later."""
    if horizon_days is None:
        return Suggestion(None, ("no_horizon",))
    if horizon_days < 0:
        raise ValueError("horizon must not be negative")
    for limit, grade in ((7, "H"), (30, "A"), (90, "B")):
        if horizon_days <= limit:
            return Suggestion(grade, (f"horizon<={limit}d",))
    return Suggestion("C", ("horizon>90d",))


def next_follow_up(
    *,
    contacted_on: date,
    grade: str | None,
    chosen: date | None,
    cadence: dict[str, int],
    closed: bool = False,
) -> date | None:
    """The date chosen at the contact, else the cadence of the grade from the contact day;
    None when the grade has no cadence (e.g. D set to 'none') or the customer is closed (a
    deal or a loss: the cadence stops; the deal's own milestones take over)."""
    if chosen is not None:
        return chosen
    if closed or grade is None or grade not in cadence:
        return None
    return contacted_on + timedelta(days=cadence[grade])


def content_shortfall(kind: str, content: str, *, reached: bool) -> int:
    """How many characters a reached contact's record is missing (0 when long enough).
    Unreached calls are logged as they are: there was nothing to say."""
    if not reached:
        return 0
    needed = MIN_CONTENT.get(kind, 0)
    return max(0, needed - len("".join((content or "").split())))


# A contact (最近联系) is a conversation: a text sent out is logged but is not one
# (docs/domain.md#contacts: "an SMS alone never counts"), nor a call nobody answered.
CONTACT_KINDS = frozenset({"phone", "visit", "wechat", "event"})


def is_contact(kind: str, *, reached: bool) -> bool:
    return reached and kind in CONTACT_KINDS
