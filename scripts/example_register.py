# ruff: noqa: E501 - one register row a line, as in the sheet
"""Write the example registers of docs/import.md (docs/examples/): a sales centre's visit
register as offices keep it in Excel (a merged title row, mixed date styles, phones with
+86, dashes and full-width digits, 先生/女士 for gender) and a call register as GBK .csv.

    .venv/bin/python scripts/example_register.py
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

OUT = Path(__file__).resolve().parent.parent / "docs" / "examples"
VISITS = [
    ["序号", "来访日期", "客户姓名", "性别", "联系电话", "认知途径", "置业顾问", "意向户型", "同行人数", "备注"],
    [1, "2026年11月2日", "周先生", "", "139 1234 5601", "路过", "戴雷宇", "三房", 2, "看了样板间，关注学区"],
    [2, "2026/11/2 15:20", "吴女士", "女", "+86 139-1234-5602", "网络广告", "戴雷宇", "两房", 1, "首付预算有限"],
    [3, 46329, "郑建国", "男", "13912345603", "朋友介绍/老带新", "", "四房及以上", 3, "老业主介绍，待分配"],
    [4, "2026-11-05", "王小姐", "", "１３９１２３４５６０４", "户外广告", "戴雷宇", "三房", 0, "全角数字的电话"],
    [5, "2026.11.06", "冯先生", "", "13912345605", "活动", "", "", 1, "暖场活动来访"],
    [6, "2026年11月8日", "陈女士", "女", "13912345602", "网络广告", "戴雷宇", "两房", 2, "第二次来访，带家人"],
    [7, "2026年11月9日", "褚先生", "男", "1391234", "路过", "", "", 0, "电话少了位数：会被拒收"],
    [8, "下周三", "卫女士", "女", "13912345608", "报纸", "", "", 0, "日期写法不对：会被拒收"],
]  # fmt: skip
CALLS = [
    ["来电日期", "客户姓名", "性别", "手机号码", "获知途径", "接听顾问", "来电内容"],
    ["2026/11/03", "蒋先生", "男", "13912345611", "网络广告", "戴雷宇", "问价格和交房时间"],
    ["2026/11/04", "沈女士", "女", "139-1234-5612", "户外广告", "", "问有没有小户型"],
    ["2026/11/04", "韩先生", "", "13912345613", "报纸", "", "约周末来看房"],
]  # fmt: skip


def visits() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "来访登记"
    sheet.append(["阳光花园销售中心 来访客户登记表（2026年11月）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(VISITS[0]))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    for row in VISITS:
        sheet.append(row)
    sheet["B5"].number_format = "yyyy-mm-dd"  # row 3's date is an Excel serial
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def calls() -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(CALLS)
    return text.getvalue().encode("gbk")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "visit-register.xlsx").write_bytes(visits())
    (OUT / "call-register-gbk.csv").write_bytes(calls())
    print("written:", *sorted(p.name for p in OUT.iterdir()))
