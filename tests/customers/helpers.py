"""customers: values the tests of several layers share."""

from __future__ import annotations

FIRST_VISIT = {
    "age_band": "35_44",
    "address_area": "西湖区",
    "family_structure": "young_children",
    "industry": "it",
    "purpose": "upgrade",
    "unit_type": "room_3",
    "area_min": 110,
    "budget_max": 400,
}
