"""Reading an office's own registers (导入) as data and pure functions: which column is
which (the header words offices use in each trade), and each cell as the registration takes
it (dates as 2026年3月5日, 2026/3/5 or an Excel serial, full-width digits, 先生/女士).
Plain values in, plain values out; nothing here touches the database or a file."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

KINDS = ("visits", "calls", "customers")
KIND_LABELS = {
    "visits": _("Visit register (来访登记表)"),
    "calls": _("Call register (来电登记表)"),
    "customers": _("Customer list (客户名单)"),
}
# The registration's kind of each register's rows ("" : a customer list, no contact).
CONTACT_KIND = {"visits": "visit", "calls": "call", "customers": ""}

FIELDS = (
    "name", "phone", "gender", "occurred_at", "consultant", "medium", "content",
    "intended_product", "companions",
)  # fmt: skip
FIELD_LABELS = {
    "name": _("Customer's name"),
    "phone": _("Mobile"),
    "gender": _("Gender"),
    "occurred_at": _("Date (and time)"),
    "consultant": _("Consultant"),
    "medium": _("Awareness medium"),
    "content": _("What was discussed"),
    "intended_product": _("Intended product"),
    "companions": _("Companions"),
}
# What every register must map; a customer list may leave the date out.
REQUIRED = {"visits": ("name", "phone", "occurred_at"), "calls": ("name", "phone", "occurred_at"),
            "customers": ("name", "phone")}  # fmt: skip

# Header words as the three trades write them (sales centre, 4S showroom, home-improvement
# store), folded (full-width to half-width, no spaces, lower case).
SYNONYMS = {
    "name": ("姓名", "客户姓名", "客户名称", "客户名", "客户", "名字", "联系人", "name",
             "customer", "customername"),
    "phone": ("电话", "手机", "手机号", "手机号码", "联系电话", "联系方式", "电话号码",
              "客户电话", "mobile", "phone", "tel"),
    "gender": ("性别", "gender", "sex"),
    "occurred_at": ("日期", "来电日期", "来访日期", "来电时间", "来访时间", "到访日期",
                    "到访时间", "到店日期", "到店时间", "进店日期", "进店时间", "登记日期",
                    "登记时间", "时间", "date", "time"),
    "consultant": ("置业顾问", "销售顾问", "顾问", "接待顾问", "接待人", "接待", "销售",
                   "设计师", "家装顾问", "经办人", "归属顾问", "consultant", "owner"),
    "medium": ("认知途径", "认知渠道", "获知途径", "来源", "客户来源", "渠道", "来访渠道",
               "媒体", "信息来源", "medium", "source"),
    "content": ("备注", "内容", "洽谈内容", "沟通内容", "接待情况", "来电内容", "来访内容",
                "客户需求", "需求", "notes", "content"),
    "intended_product": ("意向", "意向产品", "意向户型", "意向房型", "意向车型", "意向车系",
                         "意向风格", "意向面积", "product"),
    "companions": ("同行人数", "来访人数", "随行人数", "同行", "companions"),
}  # fmt: skip
HEADER_ROWS_SCANNED = 10

MALE = {"男", "m", "male", "先生", "男士"}
FEMALE = {"女", "f", "female", "女士", "小姐", "太太"}


def fold(text: str) -> str:
    """Full-width to half-width, no spaces, lower case: how header words are compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


def cell_text(value) -> str:
    """A cell as text: an integral number without its '.0' (a phone typed as a number),
    a date in ISO form, nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        # A date cell has no time: written as a day, so it is read as one (at noon).
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def header_field(text: str, remembered: dict[str, str]) -> str | None:
    """The field a header names: as this project mapped it before, else the usual words."""
    key = fold(text)
    if not key:
        return None
    if key in remembered:
        return remembered[key] or None  # "" : remembered as not imported
    for name, words in SYNONYMS.items():
        if key in words:
            return name
    return None


def header_row(rows: list[list[str]], remembered: dict[str, str]) -> tuple[int, list[str]]:
    """(index of the header row, its column names). The row naming the most known fields
    among the first ten (a title row above it is skipped); a column it leaves empty takes
    the name of the row above, as a header cell merged across columns or rows reads."""
    best, best_score = -1, 0
    for index, row in enumerate(rows[:HEADER_ROWS_SCANNED]):
        fields = {header_field(cell, remembered) for cell in row} - {None}
        if len(fields) > best_score:
            best, best_score = index, len(fields)
    if best < 0:
        return -1, []
    names = list(rows[best])
    if best > 0:
        above, carried = rows[best - 1], ""
        for col in range(len(names)):
            if col < len(above) and above[col]:
                carried = above[col]
            if not names[col]:
                names[col] = carried
    return best, names


def guess_mapping(names: list[str], remembered: dict[str, str]) -> dict[str, int]:
    """field → column: the first column each field's words (or the remembered mapping) name."""
    mapping: dict[str, int] = {}
    for col, name in enumerate(names):
        found = header_field(name, remembered)
        if found and found not in mapping:
            mapping[found] = col
    return mapping


def is_formula(text: str) -> bool:
    return text.startswith("=")


def parse_gender(text: str, name: str) -> str:
    """'m' or 'f' from the cell, else from how the name is written (王先生); '' unknown."""
    key = fold(text)
    if key in MALE:
        return "m"
    if key in FEMALE:
        return "f"
    if key:
        return "?"
    folded = fold(name)
    if folded.endswith(("先生",)):
        return "m"
    if folded.endswith(("女士", "小姐", "太太")):
        return "f"
    return ""


_DATE = re.compile(
    r"^(?P<y>\d{4})\s*[年/.\-]\s*(?P<m>\d{1,2})\s*[月/.\-]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]*(?P<H>\d{1,2})\s*[:：时点]\s*(?P<M>\d{1,2})?\s*分?(?:\s*[:：]\s*(?P<S>\d{1,2}))?)?"
    r"(?:\.\d+)?$"
)
EXCEL_EPOCH = datetime(
    1899, 12, 30, tzinfo=UTC
)  # serial 1 is 1900-01-01 (Excel's leap-year bug kept)
NOON = time(12, 0)


def parse_when(text: str, tz: ZoneInfo) -> datetime | None:
    """The moment a cell names, aware in the project's time zone; a day without a time is
    taken at noon (its day is the same in every zone the offices use). None: empty.
    Raises ValueError for what is not a date."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value:
        return None
    if re.fullmatch(r"\d{1,6}(\.\d+)?", value):
        serial = float(value)
        if not 1 <= serial < 2958466:
            raise ValueError(value)
        moment = EXCEL_EPOCH + timedelta(days=serial)
        if serial.is_integer():
            moment = datetime.combine(moment.date(), NOON)
        return moment.replace(tzinfo=tz)
    found = _DATE.match(value)
    if not found:
        raise ValueError(value)
    parts = {k: int(v) for k, v in found.groupdict().items() if v is not None}
    day = datetime(parts["y"], parts["m"], parts["d"], tzinfo=tz)  # ValueError for 2月30日
    if "H" in parts:
        return day.replace(hour=parts["H"], minute=parts.get("M", 0), second=parts.get("S", 0))
    return day.replace(hour=NOON.hour)


def parse_count(text: str) -> int:
    """A small whole number ('2', '２', '2人'); '' is 0. Raises ValueError."""
    value = unicodedata.normalize("NFKC", text or "").strip().removesuffix("人")
    if not value:
        return 0
    if not re.fullmatch(r"\d{1,3}", value):
        raise ValueError(value)
    return int(value)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
