"""The .xlsx reader (calamine) against openpyxl's, the reader it replaced, as the oracle: any
sheet reads to the same rows of text; and a zip that inflates past the limit is refused
before calamine is given it, whatever sizes the zip declares."""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from anchang.assignment.imports import sheets
from anchang.assignment.imports.rules import cell_text
from anchang.errors import ValidationFailed


def _openpyxl_rows(data: bytes) -> list[list[str]]:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = [
        sheets._trimmed([cell_text(v) for v in row])
        for row in book.worksheets[0].iter_rows(values_only=True)
    ]
    book.close()
    return rows


def _book(rows: list[list], *, blank_top: int = 0, merged: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    for _ in range(blank_top):
        sheet.append([])
    for row in rows:
        sheet.append(row)
    if merged and rows:
        sheet.merge_cells(start_row=blank_top + 1, start_column=1, end_row=blank_top + 1,
                          end_column=3)  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Excel's cells have no time zone.
EARLIEST = datetime(1990, 1, 1)  # noqa: DTZ001
LATEST = datetime(2099, 12, 31)  # noqa: DTZ001
# Text Excel can hold (no control characters), numbers as offices type them (a phone as a
# number, a price with cents, a count), dates with and without a time.
CELLS = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=["Cc", "Cs", "Co"]), max_size=12),
    st.integers(-(10**12), 10**12),
    st.sampled_from([13912345678, 86.5, 0.1, 1e14, -3.25, 2.0]),
    st.datetimes(EARLIEST, LATEST).map(lambda d: d.replace(microsecond=0)),
    st.dates(EARLIEST.date(), LATEST.date()).map(
        lambda d: datetime.combine(d, datetime.min.time())
    ),
    st.booleans(),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(CELLS, max_size=8), min_size=1, max_size=6),
    blank_top=st.integers(0, 3),
    merged=st.booleans(),
)
def test_any_sheet_reads_as_openpyxl_read_it(rows, blank_top, merged):
    data = _book(rows, blank_top=blank_top, merged=merged)
    kind, read = sheets.read_rows(data, "x.xlsx")
    assert kind == "xlsx"
    assert _rstrip(read) == _rstrip(_openpyxl_rows(data))


def _rstrip(rows: list[list[str]]) -> list[list[str]]:
    """Blank rows at the end are no rows (openpyxl reads up to the sheet's dimension)."""
    while rows and not rows[-1]:
        rows = rows[:-1]
    return rows


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    return out.getvalue()


def test_a_zip_that_inflates_past_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(sheets, "INFLATED_MAX", 1 << 20)
    data = _zip({"xl/worksheets/sheet1.xml": b"\0" * (2 << 20)})
    assert len(data) < 10_000  # tiny on the wire
    with pytest.raises(ValidationFailed, match="MB"):
        sheets.read_rows(data, "bomb.xlsx")


def test_a_zip_declaring_small_sizes_is_measured_by_what_it_inflates_to(monkeypatch):
    monkeypatch.setattr(sheets, "INFLATED_MAX", 1 << 20)
    data = bytearray(_zip({"xl/worksheets/sheet1.xml": b"\0" * (2 << 20)}))
    # Rewrite the declared uncompressed size (local header and central directory) as 100.
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    data[local + 22 : local + 26] = struct.pack("<I", 100)
    data[central + 24 : central + 28] = struct.pack("<I", 100)
    with pytest.raises(ValidationFailed, match="MB"):
        sheets.read_rows(bytes(data), "liar.xlsx")


@pytest.mark.parametrize(
    "data",
    [
        _zip({"hello.txt": b"not a workbook"}),
        _zip({"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row><c"}),
        b"PK\x03\x04" + b"\0" * 200,
    ],
)
def test_a_zip_that_is_not_a_workbook_is_refused(data):
    with pytest.raises(ValidationFailed) as refused:
        sheets.read_rows(data, "x.xlsx")
    assert "xlsx" in str(refused.value.fields["file"])


def test_a_sheet_past_the_row_limit_is_refused(monkeypatch):
    monkeypatch.setattr(sheets, "MAX_ROWS", 20)
    data = _book([["姓名", "电话"]] + [[f"客户{i}", f"139{i:08d}"] for i in range(40)])
    with pytest.raises(ValidationFailed, match="20"):
        sheets.read_rows(data, "big.xlsx")
