"""Spreadsheets the product writes (exports, an import's rejects): every cell formula-safe,
.xlsx streamed through openpyxl's write-only mode into a temporary file, so memory stays
flat whatever the rows; .csv with a BOM so Excel reads the Chinese."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from typing import IO

from openpyxl import Workbook

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_MAX = 31


def spreadsheet_safe(value) -> str:
    """Neutralise formula injection: a cell starting with = + - @ is read as text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _cell(value):
    # Numbers stay numbers (sums work in Excel); text is made safe.
    if isinstance(value, bool) or value is None:
        return spreadsheet_safe(value)
    if isinstance(value, int | float):
        return value
    return spreadsheet_safe(value)


def xlsx_file(title: str, header: Sequence, rows: Iterable[Sequence]) -> IO[bytes]:
    """The rows as an .xlsx workbook in a temporary file, rewound (the caller streams it)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:SHEET_TITLE_MAX] or "Sheet1")
    sheet.append([spreadsheet_safe(h) for h in header])
    for row in rows:
        sheet.append([_cell(v) for v in row])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the caller streams and closes it
    book.save(out)
    out.seek(0)
    return out
