"""Money on pages: amounts are integer fen in the database (anchang/deals/rules.py), shown
as grouped yuan with two decimals (`{{ deal.deal_price|yuan }}` → 1,234,567.00)."""

from __future__ import annotations

from anchang.deals.rules import yuan_text


def yuan(fen: int | None) -> str:
    return yuan_text(fen)
