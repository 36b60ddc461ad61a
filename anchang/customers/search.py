"""Search keys for Chinese names: full pinyin and initials, so 张三 is found by `zs`,
`zhangsan` or `zhang`. Pure functions; the customer service stores their results."""

from __future__ import annotations

import re
import unicodedata

from pypinyin import lazy_pinyin

# Surnames whose reading differs from the character's everyday reading.
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "覃": "qin",
    "缪": "miao",
    "尉": "yu",
    "繁": "po",
    "长孙": "zhangsun",
    "尉迟": "yuchi",
}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SURNAMES_LONGEST_FIRST = sorted(SURNAME_READINGS, key=len, reverse=True)  # 尉迟 before 尉


def _syllables(name: str) -> list[str]:
    name = unicodedata.normalize("NFKC", name).strip()
    for surname in _SURNAMES_LONGEST_FIRST:
        if name.startswith(surname) and len(name) > len(surname):
            head = [SURNAME_READINGS[surname]]
            return head + lazy_pinyin(name[len(surname) :], errors="default")
    return lazy_pinyin(name, errors="default")


def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials), lower-case letters and digits only: ('zhangsan', 'zs')."""
    parts = [_NON_ALNUM.sub("", s.lower()) for s in _syllables(name)]
    parts = [p for p in parts if p]
    return "".join(parts)[:120], "".join(p[0] for p in parts)[:40]


def prefix_bounds(prefix: str) -> tuple[str, str]:
    """A half-open range [low, high) holding every string that starts with `prefix`.
    A range uses a plain B-tree index on SQLite and PostgreSQL alike, where LIKE may not."""
    return prefix, prefix + "\U0010ffff"


def classify_query(raw: str) -> tuple[str, str]:
    """What a search box entry is: ('phone', digits), ('last4', digits), ('pinyin', letters)
    or ('name', text)."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    digits = re.sub(r"[\s\-+]", "", text)
    # ASCII digits only: "𐩀".isdigit() is True and int() refuses it (NFKC has already
    # turned full-width and superscript digits into ASCII ones).
    if digits.isascii() and digits.isdecimal():
        if len(digits) == 4:
            return "last4", digits
        if len(digits) >= 7:
            return "phone", digits
        return "digits", digits
    letters = text.lower().replace(" ", "")
    if letters.isascii() and letters.isalpha():
        return "pinyin", letters
    return "name", text
