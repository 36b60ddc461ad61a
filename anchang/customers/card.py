"""Sections of the customer's card that the apps above customers add (follow-ups; deals,
care and club next): each adds its own in its AppConfig.ready(), so the card and the
printed card show them without customers importing those apps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from anchang.customers.models import Customer


@dataclass(frozen=True)
class CardSection:
    card_template: str  # a partial the card includes where its sections go
    print_template: str  # the same for the printed card (意向客户管理卡)
    # What the partial lists, as `section.rows`: read when the partial iterates it, so a
    # section costs its queries only where it is shown.
    rows: Callable[..., Any]  # rows(customer, *, printed: bool[, actor])
    # A section whose rows depend on who reads (deals: only the deals the reader may view)
    # gets the reader as `actor=`.
    for_reader: bool = False


@dataclass(frozen=True)
class ShownSection:
    template: str
    rows: Any


_sections: list[CardSection] = []


def card_section_add(section: CardSection) -> None:
    """Add a section to the card, after those added before it (the apps' order)."""
    if section not in _sections:
        _sections.append(section)


def card_sections(customer: Customer, *, printed: bool = False, actor=None) -> list[ShownSection]:
    return [
        ShownSection(
            section.print_template if printed else section.card_template,
            section.rows(customer, printed=printed, actor=actor)
            if section.for_reader
            else section.rows(customer, printed=printed),
        )
        for section in _sections
    ]
