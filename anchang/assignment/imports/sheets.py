"""A file as rows of text: .xlsx through calamine (Rust: a 100,000-row sheet in about a
second, where openpyxl's read-only mode takes ten), .csv in UTF-8 or GBK (detected), its
delimiter sniffed. Refuses what is not a spreadsheet, and sheets beyond the row limit, with a
message saying what to do."""

from __future__ import annotations

import csv
import io
import struct
import zipfile
import zlib

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from anchang.assignment.errors import Code
from anchang.assignment.imports.rules import HEADER_ROWS_SCANNED, cell_text
from anchang.errors import ValidationFailed

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000  # data rows in one file
MAX_COLUMNS = 60
NAME_MAX = 200
# An .xlsx is zipped XML, about a tenth of its size: a 20 MB workbook of plain rows is some
# 250 MB of XML. calamine reads a sheet whole, so a zip that inflates beyond this (a "zip
# bomb") is refused before it is given the file.
INFLATED_MAX = 20 * MAX_BYTES


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
    not_xlsx = _refuse(_("This is not an .xlsx workbook Excel or WPS can open."))
    _ensure_inflates_within(data, not_xlsx)
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        if sheet.total_height > MAX_ROWS + HEADER_ROWS_SCANNED:
            raise _too_many()
        # Not skipping the empty area: a sheet's first rows may be blank, and row numbers are
        # the file's.
        return [_trimmed(row) for row in sheet.to_python(skip_empty_area=False)]
    except (CalamineError, IndexError, ValueError, OverflowError):
        raise not_xlsx from None


def _ensure_inflates_within(data: bytes, not_xlsx: ValidationFailed) -> None:
    """Inflate every member (deflate's raw stream, as a reader other than Python's would read
    it, not trusting the sizes the zip declares) and refuse the file past INFLATED_MAX."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise not_xlsx from None
    budget = INFLATED_MAX
    for member in members:
        start = member.header_offset
        if data[start : start + 4] != b"PK\x03\x04":
            raise not_xlsx
        name_len, extra_len = struct.unpack("<HH", data[start + 26 : start + 30])
        body = data[start + 30 + name_len + extra_len :][: member.compress_size]
        if member.compress_type == zipfile.ZIP_STORED:
            budget -= len(body)
        elif member.compress_type == zipfile.ZIP_DEFLATED:
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                while body and budget >= 0:
                    budget -= len(inflater.decompress(body, 1 << 20))
                    body = inflater.unconsumed_tail
                budget -= len(inflater.flush(1 << 20))
            except zlib.error:
                raise not_xlsx from None
        else:
            raise not_xlsx
        if budget < 0:
            raise _refuse(
                _("The workbook unpacks to more than %(mb)d MB: split it into smaller files.")
                % {"mb": INFLATED_MAX // 2**20}
            )


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
