"""Intake rules as pure functions: profile completeness, its targets, required fields by
stage, late entry. Defaults: docs/domain.md#intake; projects override them: this app's sections
of the project rules (intake, completeness, privacy) are at the end, registered in apps.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from anchang.org.rules import RuleSection, Section

# Profile fields and their completeness weights, by group (docs/domain.md#profile-groups).
DEFAULT_WEIGHTS: dict[str, int] = {
    # background
    "name": 5,
    "gender": 3,
    "age_band": 3,
    "phone": 5,
    "hometown": 2,
    "address_area": 3,
    # economic
    "industry": 3,
    "employer": 2,
    "position": 2,
    "personal_income_band": 3,
    "family_income_band": 3,
    "cars": 1,
    "investments": 1,
    # housing
    "current_community": 2,
    "housing_type": 2,
    "current_area": 2,
    "is_brand_owner": 2,
    "other_property": 1,
    # personal
    "appearance_notes": 1,
    "personality": 2,
    "hobbies": 2,
    "brands": 1,
    "beliefs": 1,
    "social_circle": 1,
    # family
    "family_structure": 4,
    "spouse_info": 2,
    "children_info": 2,
    "money_holder": 2,
    "decision_maker": 3,
    # key care dates
    "birthday": 3,
    "care_dates": 2,
    # purchase focus
    "medium": 3,
    "purpose": 4,
    "unit_type": 4,
    "area_min": 2,
    "area_max": 1,
    "floor_pref": 1,
    "building_pref": 1,
    "budget_min": 2,
    "budget_max": 2,
    "payment_method": 3,
    "eligibility": 3,
}

# Profile fields only some trades ask for (the real-estate weights above leave them out).
TRADE_FIELDS = (
    "purchase_horizon",  # dealership: when they will buy (H/A/B/C)
    "trade_in",  # dealership: a car to trade in (置换)
    "house_area",  # home improvement: the area to renovate
    "decor_style",  # home improvement: the style they want
    "measure_wanted",  # home improvement: wants a measuring visit (量房)
)
ALL_PROFILE_FIELDS = (*DEFAULT_WEIGHTS, *TRADE_FIELDS)
# The words a trade uses for its intended product; the forms label fields with them.
PRODUCT_TERMS = ("unit_type", "vehicle", "renovation")

# Stages of a customer for required fields (docs/domain.md#required-fields, 录入规范).
STAGES = ("no_intent", "call_in", "first_visit", "repeat_visitor", "owner")

_CALL_IN = ["name", "gender", "phone", "medium"]
_FIRST_VISIT = [
    "name",
    "gender",
    "age_band",
    "phone",
    "address_area",
    "family_structure",
    "industry",
    "medium",
    "purpose",
    "unit_type",
    "area_min",
    "budget_max",
]
_REPEAT = _FIRST_VISIT + [
    "current_community",
    "is_brand_owner",
    "spouse_info",
    "position",
    "personal_income_band",
    "personality",
    "hobbies",
    "social_circle",
]
# What a first visit adds to a call: the profile fields the registration form offers.
FIRST_VISIT_PROFILE = [f for f in _FIRST_VISIT if f not in _CALL_IN]

DEFAULT_REQUIRED: dict[str, list[str]] = {
    "no_intent": ["name", "gender", "phone", "medium", "loss_reason"],
    "call_in": _CALL_IN,
    "first_visit": _FIRST_VISIT,
    "repeat_visitor": _REPEAT,
    "owner": list(DEFAULT_WEIGHTS),
}


# Per-trade defaults (docs/domain.md#trades: sales centres, 4S dealerships, home improvement).
# Each trade registers, weighs and requires its own fields; the project rules merge these
# under a project's overrides (trade_intake_defaults).
_DEALER_VISIT = [
    "name",
    "gender",
    "age_band",
    "phone",
    "address_area",
    "medium",
    "unit_type",
    "purchase_horizon",
    "budget_max",
]
_HOME_VISIT = [
    "name",
    "gender",
    "phone",
    "address_area",
    "family_structure",
    "medium",
    "unit_type",
    "house_area",
    "decor_style",
    "budget_max",
]
_HOUSING_ONLY = {
    "area_min",
    "area_max",
    "floor_pref",
    "building_pref",
    "eligibility",
    "is_brand_owner",
    "purpose",
}
_COMMON_WEIGHTS = {f: w for f, w in DEFAULT_WEIGHTS.items() if f not in _HOUSING_ONLY}
_DEALER_WEIGHTS = {**_COMMON_WEIGHTS, "purchase_horizon": 4, "trade_in": 2}
_HOME_WEIGHTS = {**_COMMON_WEIGHTS, "house_area": 4, "decor_style": 3, "measure_wanted": 2}
TRADE_INTAKE: dict[str, dict] = {
    "real_estate": {
        "first_visit_fields": FIRST_VISIT_PROFILE,
        "required": DEFAULT_REQUIRED,
        "options": {
            "unit_type": ["room_1", "room_2", "room_3", "room_4_plus", "villa", "shop"],
        },
        "product_term": "unit_type",
        "weights": DEFAULT_WEIGHTS,
    },
    "dealership": {
        "first_visit_fields": [
            "age_band",
            "address_area",
            "industry",
            "unit_type",
            "purchase_horizon",
            "budget_max",
            "payment_method",
            "trade_in",
        ],
        "required": {
            "no_intent": DEFAULT_REQUIRED["no_intent"],
            "call_in": _CALL_IN,
            "first_visit": _DEALER_VISIT,
            "repeat_visitor": _DEALER_VISIT
            + ["payment_method", "trade_in", "position", "personal_income_band", "hobbies"],
            "owner": list(_DEALER_WEIGHTS),
        },
        "options": {
            "unit_type": ["sedan", "suv", "mpv", "nev"],
            "payment_method": ["full", "instalments"],
        },
        "product_term": "vehicle",
        "weights": _DEALER_WEIGHTS,
    },
    "home_improvement": {
        "first_visit_fields": [
            "address_area",
            "family_structure",
            "unit_type",
            "house_area",
            "decor_style",
            "budget_max",
            "measure_wanted",
        ],
        "required": {
            "no_intent": DEFAULT_REQUIRED["no_intent"],
            "call_in": _CALL_IN,
            "first_visit": _HOME_VISIT,
            "repeat_visitor": _HOME_VISIT
            + ["current_community", "measure_wanted", "decision_maker", "hobbies"],
            "owner": list(_HOME_WEIGHTS),
        },
        "options": {
            "unit_type": ["whole_house", "kitchen_bath", "partial", "furnishing"],
            "payment_method": ["full", "instalments"],
        },
        "product_term": "renovation",
        "weights": _HOME_WEIGHTS,
    },
}


def is_filled(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple, set, dict)):
        return bool(value)
    return True  # numbers (0 m² is an answer), booleans (False is an answer), dates


@dataclass(frozen=True)
class Completeness:
    percent: int
    missing: tuple[str, ...]  # unfilled fields, heaviest first: what would raise it most


def completeness(profile: Mapping[str, object], weights: Mapping[str, int]) -> Completeness:
    missing = sorted(
        (f for f, w in weights.items() if w > 0 and not is_filled(profile.get(f))),
        key=lambda f: (-weights[f], f),
    )
    return Completeness(completeness_percent(profile, weights), tuple(missing))


def completeness_percent(profile: Mapping[str, object], weights: Mapping[str, int]) -> int:
    """The percent alone (what every write stores), without ranking what is missing."""
    total = sum(weights.values())
    if total <= 0:
        return 100
    filled = sum(w for f, w in weights.items() if is_filled(profile.get(f)))
    # Floor, so 99.6 % never shows as the 100 % an owner needs.
    return filled * 100 // total


@dataclass(frozen=True)
class Targets:
    after_first_visit: int = 30
    after_third_visit_or_month: int = 70
    owner: int = 100


def stage_of(*, state: str, visits: int, registered_at: datetime, now: datetime) -> str:
    if state in ("owner", "subscribed"):
        return "owner"
    if state in ("no_intent", "lost"):
        return "no_intent"
    if visits >= 3 or (visits >= 1 and now - registered_at >= timedelta(days=30)):
        return "repeat_visitor"
    if visits >= 1:
        return "first_visit"
    return "call_in"


def completeness_target(
    *, state: str, visits: int, registered_at: datetime, now: datetime, targets: Targets
) -> int | None:
    """The target that applies now, or None (callers and lost customers have none)."""
    if state in ("owner", "subscribed"):
        return targets.owner
    if state in ("no_intent", "lost"):
        return None
    if visits >= 3 or now - registered_at >= timedelta(days=30):
        return targets.after_third_visit_or_month
    if visits >= 1:
        return targets.after_first_visit
    return None


def missing_required(profile: Mapping[str, object], required: list[str]) -> list[str]:
    return [field for field in required if not is_filled(profile.get(field))]


def is_late(*, occurred_at: datetime, entered_at: datetime, day_end: time, tz: ZoneInfo) -> bool:
    """Entered after the end of the working day (local) of the day it happened."""
    occurred_local = occurred_at.astimezone(tz)
    deadline = datetime.combine(occurred_local.date(), day_end, tzinfo=tz)
    if occurred_local > deadline:  # a call at 21:30 may be entered until midnight
        deadline = datetime.combine(occurred_local.date(), time(23, 59, 59), tzinfo=tz)
    return entered_at.astimezone(tz) > deadline


# Choice fields whose offered values a trade narrows (the model keeps every value).
OPTION_FIELDS = ("unit_type", "payment_method")


class IntakeRules(Section):
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


class CompletenessRules(Section):
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


class PrivacyRules(Section):
    """Personal data (PIPL): how many masked phones one person may reveal."""

    reveals_per_hour: int = Field(20, ge=0, le=10000)
    reveals_per_day: int = Field(60, ge=0, le=100000)
    # A full-number search confirms a masked number: capped, whoever searches.
    phone_searches_per_hour: int = Field(30, ge=0, le=10000)
    # Rows a person reads through lists of customers they may not export (planner, clerk,
    # care): paging through every customer is an export by another name.
    list_rows_per_day: int = Field(1000, ge=0, le=1000000)


def _intake_trade_defaults(trade: str | None) -> dict[str, Any]:
    if trade not in TRADE_INTAKE:
        return {}
    intake = TRADE_INTAKE[trade]
    return {
        "required": {k: list(v) for k, v in intake["required"].items()},
        "first_visit_fields": list(intake["first_visit_fields"]),
        "options": {k: list(v) for k, v in intake["options"].items()},
        "product_term": intake["product_term"],
    }


def _completeness_trade_defaults(trade: str | None) -> dict[str, Any]:
    if trade not in TRADE_INTAKE:
        return {}
    return {"weights": dict(TRADE_INTAKE[trade]["weights"])}


def _intake_choices(key: str) -> tuple[str, ...] | None:
    every_option = {
        field: tuple(dict.fromkeys(c for t in TRADE_INTAKE.values() for c in
                                   t["options"].get(field, [])))
        for field in OPTION_FIELDS
    }  # fmt: skip
    fixed = {
        "intake.first_visit_fields": ALL_PROFILE_FIELDS,
        "intake.product_term": PRODUCT_TERMS,
        **{f"intake.options.{field}": codes for field, codes in every_option.items()},
    }
    if key in fixed:
        return tuple(fixed[key])
    if key.startswith("intake.required."):
        return (*ALL_PROFILE_FIELDS, "loss_reason")
    return None


# This app's sections of the project rules (org.rules), registered in apps.py; `order` places
# them among the other apps' sections.
RULE_SECTIONS = (
    RuleSection(
        key="intake", model=IntakeRules, order=10,
        trade_defaults=_intake_trade_defaults, choices=_intake_choices,
    ),
    RuleSection(
        key="completeness", model=CompletenessRules, order=30,
        trade_defaults=_completeness_trade_defaults,
    ),
    RuleSection(key="privacy", model=PrivacyRules, order=50),
)  # fmt: skip
