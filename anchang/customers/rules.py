"""Intake rules as pure functions: profile completeness, its targets, required fields by
stage, late entry. Defaults: docs/domain.md#intake; projects override them (org.rules)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

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
# Each trade registers, weighs and requires its own fields; org.rules merges these under a
# project's overrides.
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
    total = sum(weights.values())
    if total <= 0:
        return Completeness(100, ())
    filled = sum(w for f, w in weights.items() if is_filled(profile.get(f)))
    missing = sorted(
        (f for f, w in weights.items() if w > 0 and not is_filled(profile.get(f))),
        key=lambda f: (-weights[f], f),
    )
    # Floor, so 99.6 % never shows as the 100 % an owner needs.
    return Completeness(filled * 100 // total, tuple(missing))


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
