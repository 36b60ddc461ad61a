"""Files as offices write them, made with openpyxl and csv, for the import tests."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

VISIT_HEADER = [
    "序号",
    "来访日期",
    "客户姓名",
    "性别",
    "联系电话",
    "认知途径",
    "置业顾问",
    "意向户型",
    "备注",
]


def xlsx(rows: list[list], *, title: str | None = None, merged_title: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        if merged_title:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)
