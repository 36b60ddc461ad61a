"""A file as rows of text: .xlsx through openpyxl's read-only mode (a big sheet is read as
a stream), .csv in UTF-8 or GBK (detected), its delimiter sniffed. Refuses what is not a
spreadsheet, and sheets beyond the row limit, with a message saying what to do."""

from __future__ import annotations

import csv
import io
import zipfile

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from anchang.assignment.errors import Code
from anchang.assignment.imports.rules import HEADER_ROWS_SCANNED, cell_text
from anchang.errors import ValidationFailed

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000  # data rows in one file
MAX_COLUMNS = 60
NAME_MAX = 200


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"file": message}, code=Code.IMPORT_FILE)


def _too_many() -> ValidationFailed:
    return _refuse(
        _("The file has more than %(n)s rows: split it into files of at most %(n)s rows.")
        % {"n": f"{MAX_ROWS:,}"}
    )


def _trimmed(row) -> list[str]:
    cells = [cell_text(v) for v in row[:MAX_COLUMNS]]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _xlsx(data: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError):
        raise _refuse(_("This is not an .xlsx workbook Excel or WPS can open.")) from None
    try:
        sheet = book.worksheets[0]
        rows: list[list[str]] = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(_trimmed(row))
            if len(rows) > MAX_ROWS + HEADER_ROWS_SCANNED:
                raise _too_many()
        return rows
    finally:
        book.close()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse(_("The .csv file is neither UTF-8 nor GBK text."))


def _csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    if "\x00" in text:
        raise _refuse(_("This is not a .csv text file."))
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            rows.append(_trimmed([c.strip() for c in row]))
            if len(rows) > MAX_ROWS + HEADER_ROWS_SCANNED:
                raise _too_many()
    except csv.Error:
        raise _refuse(_("The .csv file cannot be read as rows and columns.")) from None
    return rows


def read_rows(data: bytes, file_name: str) -> tuple[str, list[list[str]]]:
    """('xlsx' or 'csv', the rows as text, blank rows kept so row numbers match the file)."""
    if not data:
        raise _refuse(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise _refuse(_("The file is over %(mb)d MB: split it.") % {"mb": MAX_BYTES // 2**20})
    name = file_name.lower()
    if data[:4] == b"PK\x03\x04":
        return "xlsx", _xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _refuse(_("An old .xls workbook: save it as .xlsx in Excel or WPS and upload."))
    if name.endswith((".xlsx", ".xlsm")):
        raise _refuse(_("This is not an .xlsx workbook Excel or WPS can open."))
    return "csv", _csv(data)
