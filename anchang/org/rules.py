"""Per-project rules: the DOMAIN.md defaults as a typed, validated settings object.

A project stores only its overrides (Project.rules_overrides); `ProjectRules.from_overrides`
merges them over these defaults and validates the result, so a bad value is refused
when an admin saves it, never discovered at run time. Later features add their sections
here; nothing in this module touches the database.
"""

from __future__ import annotations

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from anchang.customers.rules import DEFAULT_REQUIRED, DEFAULT_WEIGHTS, STAGES

GRADE_SCALES = ("ABCD", "HABC")


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

    @field_validator("required")
    @classmethod
    def _known_fields(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        known = set(DEFAULT_WEIGHTS) | {"loss_reason"}
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
        unknown = set(value) - set(DEFAULT_WEIGHTS)
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
    def from_overrides(cls, overrides: dict[str, Any] | None) -> ProjectRules:
        return cls.model_validate(overrides or {})


DEFAULT_RULES = ProjectRules()
# Settings whose value is a whole mapping, edited as one JSON field.
DICT_SETTINGS = ("cadence_days", "required", "weights")


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


def overrides_from_flat(flat: dict[str, Any]) -> dict[str, Any]:
    """Keep only values that differ from the defaults, nested again for storage."""
    defaults = flatten(DEFAULT_RULES)
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
