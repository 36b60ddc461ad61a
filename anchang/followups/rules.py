"""Intent grading and follow-up cadence as pure functions (DOMAIN.md §3, §4).

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
DEFAULT_CADENCE = {"H": 0, "A": 7, "B": 14, "C": 30, "D": 90}
MIN_CONTENT = {"phone": 30, "visit": 50, "event": 30, "wechat": 0, "sms": 1}


@dataclass(frozen=True)
class Suggestion:
    grade: str | None
    reasons: tuple[str, ...] = field(default_factory=tuple)


def suggest_abcd(
    checks: dict[str, bool | None], signals: frozenset[str] = frozenset()
) -> Suggestion:
    """A: all six criteria; D: any deal-breaker rejected; B: product, unit chosen and
    attention; C: accepts the product. Two or more buying signals lift C to B."""
    rejected = [c for c in DEAL_BREAKERS if checks.get(c) is False]
    if rejected:
        return Suggestion("D", tuple(f"rejects:{c}" for c in rejected))
    met = [c for c in CRITERIA if checks.get(c) is True]
    if len(met) == len(CRITERIA):
        return Suggestion("A", ("all_criteria",))
    core = ("accepts_product", "unit_chosen", "attention")
    if all(checks.get(c) is True for c in core):
        return Suggestion("B", tuple(f"meets:{c}" for c in core))
    if checks.get("accepts_product") is True:
        if len(signals) >= 2:
            return Suggestion(
                "B", ("meets:accepts_product", *(f"signal:{s}" for s in sorted(signals)))
            )
        return Suggestion("C", ("meets:accepts_product",))
    return Suggestion(None, ("not_enough_known",))


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
# (DOMAIN.md §4: "SMS alone does not count"), nor a call nobody answered.
CONTACT_KINDS = frozenset({"phone", "visit", "wechat", "event"})


def is_contact(kind: str, *, reached: bool) -> bool:
    return reached and kind in CONTACT_KINDS
