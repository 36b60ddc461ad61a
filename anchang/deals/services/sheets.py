"""Unit attributes from an .xlsx sheet (the developer's pricing team keeps one): layout,
areas, orientation by unit number; a new standard or floor price becomes a price change
(调价) waiting for a manager, never an overwrite. Every row is checked first: one bad row and
nothing changes, each problem named with its row."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.deals import rules
from anchang.deals.errors import Code
from anchang.deals.models import Approval, Unit
from anchang.deals.services.catalogue import (
    approval_ask,
    ensure_can_manage_catalogue,
)
from anchang.errors import ValidationFailed
from anchang.org.models import Project, User
from anchang.validators import fold_spaces

SHEET_MAX_BYTES = 1024 * 1024  # the server refuses larger bodies anyway (ANCHANG_MAX_BODY_BYTES)
ROWS_MAX = 5000
PROBLEMS_SHOWN = 50
# Header (as offices write it, zh or en) → attribute
HEADERS = {
    "房号": "code", "unit": "code", "number": "code",
    "户型": "layout", "layout": "layout",
    "建筑面积": "gross_area", "gross area": "gross_area",
    "套内面积": "net_area", "net area": "net_area",
    "朝向": "orientation", "orientation": "orientation",
    "标准价": "standard_price", "standard price": "standard_price",
    "底价": "floor_price", "floor price": "floor_price",
}  # fmt: skip
TEXT_LIMITS = {"layout": 20, "orientation": 10}


@dataclass
class SheetResult:
    updated: int = 0
    price_changes: int = 0
    problems: list[str] = field(default_factory=list)


def _area(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        area = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError from None
    if not area.is_finite() or not Decimal(1) <= area <= Decimal(10000):
        raise ValueError
    return area.quantize(Decimal("0.01"))


def _rows(file: BinaryIO) -> list[tuple]:
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    if size > SHEET_MAX_BYTES:
        raise ValidationFailed(
            fields={"sheet": _("The sheet is over 1 MB.")}, code=Code.SHEET_INVALID
        )
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise ValidationFailed(
            fields={"sheet": _("This is not an .xlsx sheet.")}, code=Code.SHEET_INVALID
        ) from None
    rows = []
    for row in book.worksheets[0].iter_rows(values_only=True):
        rows.append(row)
        if len(rows) > ROWS_MAX + 1:
            raise ValidationFailed(
                fields={"sheet": _("At most %(n)d rows.") % {"n": ROWS_MAX}},
                code=Code.SHEET_INVALID,
            )
    book.close()
    return rows


@transaction.atomic
def units_update_from_sheet(*, actor: User, project: Project, file: BinaryIO) -> SheetResult:
    ensure_can_manage_catalogue(actor, project)
    rows = _rows(file)
    if not rows:
        raise ValidationFailed(fields={"sheet": _("The sheet is empty.")}, code=Code.SHEET_INVALID)
    columns = [HEADERS.get(fold_spaces(str(h or "")).lower()) for h in rows[0]]
    if "code" not in columns or len([c for c in columns if c]) < 2:
        raise ValidationFailed(
            fields={"sheet": _("The first row names the columns: 房号 and at least one of "
                               "户型, 建筑面积, 套内面积, 朝向, 标准价, 底价.")},
            code=Code.SHEET_INVALID,
        )  # fmt: skip
    units = {u.code: u for u in Unit.objects.filter(project=project)}
    result = SheetResult()
    changes: list[tuple[Unit, dict, dict]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        values = {c: v for c, v in zip(columns, row, strict=False) if c}
        code = fold_spaces(str(values.get("code") or ""))
        if not code and not any(v not in (None, "") for v in values.values()):
            continue  # a blank row
        problem = None
        unit = units.get(code)
        attrs: dict = {}
        prices: dict = {}
        if unit is None:
            problem = _("no unit %(code)s in this project") % {"code": code or "—"}
        elif code in seen:
            problem = _("unit %(code)s appears twice") % {"code": code}
        else:
            try:
                for key in ("gross_area", "net_area"):
                    if key in values and (area := _area(values[key])) is not None:
                        attrs[key] = area
                for key, limit in TEXT_LIMITS.items():
                    if key in values and values[key] not in (None, ""):
                        text = fold_spaces(str(values[key]))
                        if len(text) > limit:
                            raise ValueError
                        attrs[key] = text
                for key in ("standard_price", "floor_price"):
                    if key in values and values[key] not in (None, ""):
                        fen = rules.yuan_to_fen(str(values[key]))
                        if fen <= 0:
                            raise ValueError
                        prices[key] = fen
                price = prices.get("standard_price", unit.standard_price)
                floor = prices.get("floor_price", unit.floor_price)
                if floor is not None and floor > price:
                    raise ValueError
            except (ValueError, rules.MoneyError):
                problem = _(
                    "unit %(code)s: a value is not valid (areas 1–10,000 m², prices in yuan "
                    "above zero, the floor price not above the standard, texts short)"
                ) % {"code": code}
        if problem:
            result.problems.append(_("row %(n)d: %(problem)s") % {"n": number, "problem": problem})
            continue
        seen.add(code)
        changes.append((unit, attrs, prices))
    if result.problems:
        shown = result.problems[:PROBLEMS_SHOWN]
        raise ValidationFailed(
            _("Nothing was changed: %(n)d rows have problems.") % {"n": len(result.problems)},
            fields={"sheet": "；".join(shown)}, code=Code.SHEET_INVALID,
        )  # fmt: skip
    for unit, attrs, prices in changes:
        if attrs:
            Unit.objects.filter(pk=unit.pk).update(**attrs)
            result.updated += 1
        new_price = prices.get("standard_price", unit.standard_price)
        new_floor = prices.get("floor_price", unit.floor_price)
        if (new_price, new_floor) != (unit.standard_price, unit.floor_price):
            pending = Approval.objects.filter(
                unit=unit, kind=Approval.Kind.PRICE, status=Approval.Status.PENDING
            ).exists()
            if not pending:
                approval_ask(
                    actor=actor, kind=Approval.Kind.PRICE, unit=unit,
                    reason=_("price sheet"), payload={
                        "old_price": unit.standard_price, "new_price": new_price,
                        "old_floor_price": unit.floor_price, "new_floor_price": new_floor,
                    },
                )  # fmt: skip
                result.price_changes += 1
    audit_record(
        action=AuditEntry.Action.UNITS_IMPORTED, actor=actor, project=project,
        details={"rows": len(changes), "updated": result.updated,
                 "price_changes": result.price_changes},
    )  # fmt: skip
    return result
