"""Per-project rules: docs/domain.md#project-settings as a typed, validated settings object.

A project stores only its overrides (Project.rules_overrides); `ProjectRules.from_overrides`
merges them over these defaults and validates the result, so a bad value is refused
when an admin saves it, never discovered at run time. Later features add their sections
here; nothing in this module touches the database.
"""

from __future__ import annotations

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from anchang.customers.rules import (
    ALL_PROFILE_FIELDS,
    DEFAULT_REQUIRED,
    DEFAULT_WEIGHTS,
    FIRST_VISIT_PROFILE,
    PRODUCT_TERMS,
    STAGES,
    TRADE_INTAKE,
)
from anchang.followups import rules as grading_rules

GRADE_SCALES = ("ABCD", "HABC")
TRADES = tuple(TRADE_INTAKE)
# Choice fields whose offered values a trade narrows (the model keeps every value).
OPTION_FIELDS = ("unit_type", "payment_method")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IntakeRules(_Section):
    """录入规范: same-day entry and the fields each stage requires."""

    working_day_end: time = Field(
        time(21, 0), description="Registrations entered after this local time are late."
    )
    required: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_REQUIRED.items()},
        description="Fields required by customer stage.",
    )

    first_visit_fields: list[str] = Field(
        default_factory=lambda: list(FIRST_VISIT_PROFILE),
        description="Profile fields the registration form offers for a visit, in order.",
    )
    options: dict[str, list[str]] = Field(
        default_factory=lambda: {"unit_type": list(TRADE_INTAKE["real_estate"]["options"]
                                                  ["unit_type"])},
        description="The values offered for a choice field, e.g. the intended products.",
    )  # fmt: skip
    product_term: str = Field("unit_type", description="unit_type, vehicle or renovation.")

    @field_validator("first_visit_fields")
    @classmethod
    def _known_profile(cls, value: list[str]) -> list[str]:
        unknown = set(value) - set(ALL_PROFILE_FIELDS)
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        if len(set(value)) != len(value):
            raise ValueError("a field is listed twice")
        return value

    @field_validator("options")
    @classmethod
    def _known_options(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, codes in value.items():
            if name not in OPTION_FIELDS:
                raise ValueError(f"unknown field {name!r}")
            if not codes:
                raise ValueError(f"{name}: offer at least one value")
        return value

    @field_validator("product_term")
    @classmethod
    def _known_term(cls, value: str) -> str:
        if value not in PRODUCT_TERMS:
            raise ValueError(f"must be one of {', '.join(PRODUCT_TERMS)}")
        return value

    @field_validator("required")
    @classmethod
    def _known_fields(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        known = set(ALL_PROFILE_FIELDS) | {"loss_reason"}
        for stage, fields in value.items():
            if stage not in STAGES:
                raise ValueError(f"unknown stage {stage!r}")
            unknown = set(fields) - known
            if unknown:
                raise ValueError(f"{stage}: unknown fields {sorted(unknown)}")
        return value


class GradingRules(_Section):
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
        default_factory=lambda: list(grading_rules.CRITERIA),
        description="What the grade page asks (yes / no / not known).",
    )
    deal_breakers: list[str] = Field(
        default_factory=lambda: list(grading_rules.DEAL_BREAKERS),
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
        default_factory=lambda: list(grading_rules.SIGNALS),
        description="Buying signals offered at a follow-up.",
    )

    @field_validator("method")
    @classmethod
    def _known_method(cls, value: str) -> str:
        if value not in grading_rules.GRADING_METHODS:
            raise ValueError(f"must be one of {', '.join(grading_rules.GRADING_METHODS)}")
        return value

    @field_validator("criteria", "deal_breakers", "core", "base")
    @classmethod
    def _known_criteria(cls, value: list[str]) -> list[str]:
        unknown = set(value) - set(grading_rules.ALL_CRITERIA)
        if unknown:
            raise ValueError(f"unknown criteria {sorted(unknown)}")
        return list(dict.fromkeys(value))

    @field_validator("signals")
    @classmethod
    def _known_signals(cls, value: list[str]) -> list[str]:
        unknown = set(value) - set(grading_rules.ALL_SIGNALS)
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
    def spec(self) -> grading_rules.GradingSpec:
        return grading_rules.GradingSpec(
            scale=grading_rules.SCALES[self.scale], method=self.method,
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


class CompletenessRules(_Section):
    """信息完整度: targets in percent and the weight of each profile field."""

    after_first_visit: int = Field(30, ge=0, le=100)
    after_third_visit_or_month: int = Field(70, ge=0, le=100)
    owner: int = Field(100, ge=0, le=100)
    weights: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    @field_validator("weights")
    @classmethod
    def _weights_sane(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = set(value) - set(ALL_PROFILE_FIELDS)
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        if any(not 0 <= w <= 100 for w in value.values()):
            raise ValueError("weights must be between 0 and 100")
        if sum(value.values()) == 0:
            raise ValueError("at least one field must weigh something")
        return value


class PoolRules(_Section):
    """公海: reclaim and claim limits."""

    reclaim_after_days_without_contact: int = Field(30, ge=1, le=3650)
    reclaim_after_days_without_subscription: int = Field(90, ge=1, le=3650)
    warn_days_before: int = Field(2, ge=0, le=30)
    daily_claim_limit: int = Field(10, ge=0, le=1000)
    max_active_customers: int = Field(200, ge=1, le=100000)
    reclaim_cooldown_days: int = Field(7, ge=0, le=365)


class PrivacyRules(_Section):
    """Personal data (PIPL): how many masked phones one person may reveal."""

    reveals_per_hour: int = Field(20, ge=0, le=10000)
    reveals_per_day: int = Field(60, ge=0, le=100000)
    # A full-number search confirms a masked number: capped, whoever searches.
    phone_searches_per_hour: int = Field(30, ge=0, le=10000)
    # Rows a person reads through lists of customers they may not export (planner, clerk,
    # care): paging through every customer is an export by another name.
    list_rows_per_day: int = Field(1000, ge=0, le=1000000)


class SuspicionRules(_Section):
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


class ReviewRules(_Section):
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


class ProjectRules(_Section):
    timezone: str = Field("Asia/Shanghai", description="Local time for 'today' and 'late'.")
    intake: IntakeRules = Field(default_factory=IntakeRules)
    grading: GradingRules = Field(default_factory=GradingRules)
    completeness: CompletenessRules = Field(default_factory=CompletenessRules)
    pool: PoolRules = Field(default_factory=PoolRules)
    privacy: PrivacyRules = Field(default_factory=PrivacyRules)
    suspicion: SuspicionRules = Field(default_factory=SuspicionRules)
    review: ReviewRules = Field(default_factory=ReviewRules)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def from_overrides(
        cls, overrides: dict[str, Any] | None, trade: str | None = None
    ) -> ProjectRules:
        """The trade's defaults (docs/domain.md#trades: its own fields, products and grades)
        with the project's overrides over them; a setting is replaced whole, a section is
        merged key by key."""
        merged = trade_defaults(trade)
        for key, value in (overrides or {}).items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
        return cls.model_validate(merged)


def trade_defaults(trade: str | None) -> dict[str, Any]:
    """The settings in which a trade differs from the real-estate defaults, nested."""
    if trade not in TRADE_INTAKE:
        return {}
    intake = TRADE_INTAKE[trade]
    grading = grading_rules.TRADE_GRADING[trade]
    return {
        "intake": {
            "required": {k: list(v) for k, v in intake["required"].items()},
            "first_visit_fields": list(intake["first_visit_fields"]),
            "options": {k: list(v) for k, v in intake["options"].items()},
            "product_term": intake["product_term"],
        },
        "grading": {k: (list(v) if isinstance(v, list) else v) for k, v in grading.items()},
        "completeness": {"weights": dict(intake["weights"])},
    }


def setting_choices(key: str) -> tuple[str, ...] | None:
    """The values a list- or choice-valued setting may hold (dotted key; a mapping's entry as
    `key.entry`), for a rules form's tick boxes and selects; None for other settings."""
    every_option = {
        field: tuple(dict.fromkeys(c for t in TRADE_INTAKE.values() for c in
                                   t["options"].get(field, [])))
        for field in OPTION_FIELDS
    }  # fmt: skip
    fixed = {
        "intake.first_visit_fields": ALL_PROFILE_FIELDS,
        "intake.product_term": PRODUCT_TERMS,
        "grading.method": grading_rules.GRADING_METHODS,
        "grading.criteria": grading_rules.ALL_CRITERIA,
        "grading.deal_breakers": grading_rules.ALL_CRITERIA,
        "grading.core": grading_rules.ALL_CRITERIA,
        "grading.base": grading_rules.ALL_CRITERIA,
        "grading.signals": grading_rules.ALL_SIGNALS,
        **{f"intake.options.{field}": codes for field, codes in every_option.items()},
    }
    if key in fixed:
        return tuple(fixed[key])
    if key.startswith("intake.required."):
        return (*ALL_PROFILE_FIELDS, "loss_reason")
    return None


DEFAULT_RULES = ProjectRules()
# List settings of free texts (one a line in the rules form), not of codes to choose from.
FREE_TEXT_SETTINGS = ("review.comment_presets",)
# Settings whose value is a whole mapping or list, edited as one JSON field.
DICT_SETTINGS = ("cadence_days", "required", "weights", "options")


def flatten(rules: ProjectRules) -> dict[str, Any]:
    """Dotted keys to JSON-able values, e.g. {"pool.daily_claim_limit": 10}."""
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and not prefix.endswith(DICT_SETTINGS):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else key, item)
        else:
            out[prefix] = value

    walk("", rules.model_dump(mode="json"))
    return out


def overrides_from_flat(flat: dict[str, Any], trade: str | None = None) -> dict[str, Any]:
    """Keep only values that differ from the trade's defaults, nested again for storage."""
    defaults = flatten(ProjectRules.from_overrides({}, trade))
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        if key not in defaults:
            raise KeyError(key)
        if value == defaults[key]:
            continue
        node = nested
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested


def validation_messages(exc: ValidationError) -> dict[str, str]:
    return {".".join(str(p) for p in err["loc"]): err["msg"] for err in exc.errors()}
