"""Parts of My day that the apps above followups add (the pool's warnings now; deals'
milestone tasks and care's tasks next), each from its AppConfig.ready(), so My day shows
them on the page and in the API without importing those apps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from rest_framework import serializers

from anchang.org.models import User


@dataclass(frozen=True)
class MyDaySection:
    # The section's values by name, read with the agenda: load(actor, today).
    load: Callable[[User, date], dict[str, Any]]
    template: str  # the partial My day includes after its figures, reading those values
    # The values' fields in the API's My day, named as `load` names them.
    serializer: type[serializers.Serializer]


_sections: list[MyDaySection] = []


def my_day_section_add(section: MyDaySection) -> None:
    """Add a section to My day, after those added before it (the apps' order)."""
    if section not in _sections:
        _sections.append(section)


def sections() -> tuple[MyDaySection, ...]:
    return tuple(_sections)
