"""Intake rules as pure functions: profile completeness, its targets, required fields by
stage, late entry. Defaults are DOMAIN.md §2; projects override them (org.rules)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

# Profile fields and their completeness weights, by DOMAIN.md §2 group.
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

# Stages of a customer for required fields (DOMAIN.md §2 录入规范).
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
