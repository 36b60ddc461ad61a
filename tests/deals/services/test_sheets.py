"""Unit attributes from an .xlsx sheet: updated by unit number; new prices become price
changes waiting for a manager; one bad row and nothing changes; not a sheet is a 400."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from anchang.deals import services
from anchang.deals.models import Approval, Unit
from anchang.errors import PermissionDenied, ValidationFailed
from tests.conftest import make_user
from tests.deals.helpers import building, office


def _sheet(rows) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "units.xlsx"
    return out


def test_a_sheet_updates_attributes_and_asks_for_new_prices(world):
    o = office(world)
    building(o)
    sheet = _sheet([
        ["房号", "户型", "建筑面积", "朝向", "标准价"],
        ["1-101", "4室2厅", "143.6", "南北", "3500000"],
        ["1-102", "3室2厅", 120, None, None],
        [None, None, None, None, None],
    ])  # fmt: skip
    result = services.units_update_from_sheet(actor=o.manager, project=o.project, file=sheet)
    assert (result.updated, result.price_changes) == (2, 1)
    unit = Unit.objects.get(code="1-101")
    assert (unit.layout, str(unit.gross_area), unit.orientation) == ("4室2厅", "143.60", "南北")
    assert unit.standard_price != 350_000_000  # the price waits for a manager
    approval = Approval.objects.get(unit=unit, kind="price")
    assert approval.payload["new_price"] == 350_000_000
    services.approval_decide(actor=world.grant(make_user("mgr2"), "manager"), approval=approval,
                             approve=True)  # fmt: skip
    assert Unit.objects.get(code="1-101").standard_price == 350_000_000


@pytest.mark.parametrize(
    "rows",
    [
        [["房号", "建筑面积"], ["1-101", "abc"]],
        [["房号", "建筑面积"], ["1-101", "-5"]],
        [["房号", "建筑面积"], ["9-999", "100"]],
        [["房号", "标准价"], ["1-101", "1e9"]],
        [["房号", "户型"], ["1-101", "x" * 21]],
        [["房号", "建筑面积"], ["1-101", "100"], ["1-101", "101"]],
        [["名字"], ["1-101"]],
    ],
)
def test_one_bad_row_and_nothing_changes(world, rows):
    o = office(world)
    building(o)
    before = list(Unit.objects.values_list("code", "layout", "gross_area", "standard_price"))
    good_first = [rows[0], ["1-102", *["100"] * (len(rows[0]) - 1)], *rows[1:]]
    with pytest.raises(ValidationFailed) as exc:
        services.units_update_from_sheet(actor=o.manager, project=o.project,
                                         file=_sheet(good_first))  # fmt: skip
    assert exc.value.code == "sheet_invalid" and "sheet" in exc.value.fields
    assert (
        list(Unit.objects.values_list("code", "layout", "gross_area", "standard_price")) == before
    )
    assert not Approval.objects.exists()


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04broken", b"\x00" * 2048])
def test_not_a_sheet_is_a_clear_error(world, content):
    o = office(world)
    with pytest.raises(ValidationFailed) as exc:
        services.units_update_from_sheet(actor=o.manager, project=o.project,
                                         file=io.BytesIO(content))  # fmt: skip
    assert exc.value.code == "sheet_invalid"


def test_only_the_catalogue_keepers_upload(world, client):
    o = office(world)
    building(o)
    with pytest.raises(PermissionDenied):
        sheet = _sheet([["房号", "户型"], ["1-101", "x"]])
        services.units_update_from_sheet(actor=o.consultant, project=o.project, file=sheet)
    client.force_login(o.manager)
    response = client.post(reverse("deals:catalogue") + f"?project={o.project.pk}", {
        "what": "sheet", "sheet": _sheet([["房号", "户型"], ["1-101", "5室"]]),
    })  # fmt: skip
    assert response.status_code == 302
    assert Unit.objects.get(code="1-101").layout == "5室"
    response = client.post(reverse("deals:catalogue") + f"?project={o.project.pk}", {
        "what": "sheet", "sheet": io.BytesIO(b"garbage"),
    })  # fmt: skip
    assert response.status_code == 400
