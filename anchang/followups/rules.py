"""Grading (docs/domain.md#grading) and cadence (docs/domain.md#cadence) as pure functions.

No ORM here: these take plain values and return plain values with reasons, so they are
tested without a database (hypothesis for the band edges). This app's sections of the project
rules (grading, suspicion, review) are at the end, registered in apps.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pydantic import Field, field_validator, model_validator

from anchang.org.rules import RuleSection, Section

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
    """What a project's grading rules say, as plain values (GradingRules.spec)."""

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


GRADE_SCALES = ("ABCD", "HABC")


class GradingRules(Section):
    """意向等级: the scale in use and the follow-up cadence per grade (days)."""

    scale: str = Field("ABCD", description="ABCD (real estate) or HABC (dealership).")
    cadence_days: dict[str, int] = Field(
        default_factory=lambda: {"H": 0, "A": 7, "B": 14, "C": 30, "D": 90},
        description="Days to the next follow-up, by grade.",
    )

    backdate_flag_days: int = Field(
        2, ge=0, le=31, description="Follow-ups dated further back than this are flagged."
    )
    method: str = Field("checklist", description="checklist (criteria) or horizon (dealership).")
    criteria: list[str] = Field(
        default_factory=lambda: list(CRITERIA),
        description="What the grade page asks (yes / no / not known).",
    )
    deal_breakers: list[str] = Field(
        default_factory=lambda: list(DEAL_BREAKERS),
        description="Criteria that, rejected, give the lowest grade.",
    )
    core: list[str] = Field(
        default_factory=lambda: ["accepts_product", "unit_chosen", "attention"],
        description="Criteria that, all met, give the second grade.",
    )
    base: list[str] = Field(
        default_factory=lambda: ["accepts_product"],
        description="Criteria that, all met, give the third grade.",
    )
    signals: list[str] = Field(
        default_factory=lambda: list(SIGNALS),
        description="Buying signals offered at a follow-up.",
    )

    @field_validator("method")
    @classmethod
    def _known_method(cls, value: str) -> str:
        if value not in GRADING_METHODS:
            raise ValueError(f"must be one of {', '.join(GRADING_METHODS)}")
        return value

    @field_validator("criteria", "deal_breakers", "core", "base")
    @classmethod
    def _known_criteria(cls, value: list[str]) -> list[str]:
        unknown = set(value) - set(ALL_CRITERIA)
        if unknown:
            raise ValueError(f"unknown criteria {sorted(unknown)}")
        return list(dict.fromkeys(value))

    @field_validator("signals")
    @classmethod
    def _known_signals(cls, value: list[str]) -> list[str]:
        unknown = set(value) - set(ALL_SIGNALS)
        if unknown:
            raise ValueError(f"unknown signals {sorted(unknown)}")
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _parts_are_criteria(self) -> GradingRules:
        stray = set(self.deal_breakers + self.core + self.base) - set(self.criteria)
        if stray:
            raise ValueError(f"not among the criteria: {sorted(stray)}")
        return self

    @model_validator(mode="after")
    def _horizon_needs_h(self) -> GradingRules:
        if self.method == "horizon" and self.scale != "HABC":
            raise ValueError("grading by purchase horizon needs the HABC scale")
        return self

    @property
    def spec(self) -> GradingSpec:
        return GradingSpec(
            scale=SCALES[self.scale], method=self.method,
            criteria=tuple(self.criteria), deal_breakers=tuple(self.deal_breakers),
            core=tuple(self.core), base=tuple(self.base), signals=tuple(self.signals),
        )  # fmt: skip

    @field_validator("scale")
    @classmethod
    def _known_scale(cls, value: str) -> str:
        if value not in GRADE_SCALES:
            raise ValueError(f"must be one of {', '.join(GRADE_SCALES)}")
        return value

    @field_validator("cadence_days")
    @classmethod
    def _cadence_sane(cls, value: dict[str, int]) -> dict[str, int]:
        for grade, days in value.items():
            if grade not in "HABCD" or len(grade) != 1:
                raise ValueError(f"unknown grade {grade!r}")
            if not 0 <= days <= 366:
                raise ValueError(f"{grade}: days must be between 0 and 366")
        return value


class SuspicionRules(Section):
    """可疑记录: when a follow-up is shown to managers as worth a second look (never penalised
    automatically). Percentages are whole numbers so the rules form edits them as such."""

    similarity_percent: int = Field(
        85, ge=50, le=100, description="Texts at least this alike on two customers are copy-paste."
    )
    duplicate_min_chars: int = Field(
        15, ge=2, le=500, description="Shorter texts are not compared (filler covers them)."
    )
    burst_count: int = Field(5, ge=2, le=100, description="This many records entered ...")
    burst_minutes: int = Field(10, ge=1, le=240, description="... within this many minutes.")
    filler_repeat_run: int = Field(
        6, ge=2, le=100, description="A character repeated this many times in a row is padding."
    )
    filler_min_letters_percent: int = Field(
        50, ge=0, le=100, description="Content with fewer letters than this is punctuation."
    )
    filler_min_distinct_percent: int = Field(
        30, ge=0, le=100, description="Content with fewer different characters is repetition."
    )


DEFAULT_COMMENT_PRESETS = (
    "记录太简单，请补充客户的需求、顾虑和下一步计划。",
    "请尽快约客户到访。",
    "跟进及时，继续保持。",
    "请核实客户的意向等级是否准确。",
    "请当天录入跟进记录，不要补录。",
)


class ReviewRules(Section):
    """主管批示: the common comments a manager taps instead of typing them again."""

    comment_presets: list[str] = Field(
        default_factory=lambda: list(DEFAULT_COMMENT_PRESETS),
        max_length=12,
        description="Common comments offered as one-tap buttons on the review queue.",
    )

    @field_validator("comment_presets")
    @classmethod
    def _presets(cls, value: list[str]) -> list[str]:
        cleaned = [text.strip() for text in value]
        if any(not 1 <= len(text) <= 500 for text in cleaned):
            raise ValueError("each comment is 1 to 500 characters")
        return cleaned


def _grading_trade_defaults(trade: str | None) -> dict[str, Any]:
    if trade not in TRADE_GRADING:
        return {}
    grading = TRADE_GRADING[trade]
    return {k: (list(v) if isinstance(v, list) else v) for k, v in grading.items()}


def _grading_choices(key: str) -> tuple[str, ...] | None:
    fixed = {
        "grading.scale": GRADE_SCALES,
        "grading.method": GRADING_METHODS,
        "grading.criteria": ALL_CRITERIA,
        "grading.deal_breakers": ALL_CRITERIA,
        "grading.core": ALL_CRITERIA,
        "grading.base": ALL_CRITERIA,
        "grading.signals": ALL_SIGNALS,
    }
    return fixed.get(key)


# This app's sections of the project rules (org.rules), registered in apps.py; `order` places
# them among the other apps' sections.
RULE_SECTIONS = (
    RuleSection(
        key="grading", model=GradingRules, order=20,
        trade_defaults=_grading_trade_defaults, choices=_grading_choices,
    ),
    RuleSection(key="suspicion", model=SuspicionRules, order=60),
    RuleSection(key="review", model=ReviewRules, order=70, free_text=("review.comment_presets",)),
)  # fmt: skip
