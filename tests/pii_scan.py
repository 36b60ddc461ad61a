"""Find personal data in log files: mobile numbers and resident ID numbers, unmasked.

Independent of anchang.logging_filters (which masks them): this is how we check that
the masking worked. An ID number counts only with a valid check character (GB 11643), so
an 18-digit id in a URL is not taken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MOBILE = re.compile(r"(?<![\d*])(?:\+?86[\s-]?)?(1[3-9]\d[\s-]?\d{4}[\s-]?\d{4})(?![\d*])")
ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx])"
    r"(?![0-9A-Za-z])"
)
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def id_number_valid(number: str) -> bool:
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == number[17].upper()


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    kind: str  # "mobile" or "id_number"

    def __str__(self) -> str:
        # Where, never the number itself: the report must not leak what it found.
        return f"{self.path}:{self.line}: an unmasked {self.kind.replace('_', ' ')}"


def scan_text(text: str, path: str = "", first_line: int = 1) -> list[Hit]:
    hits = []
    for offset, line in enumerate(text.splitlines()):
        if MOBILE.search(line):
            hits.append(Hit(path, first_line + offset, "mobile"))
        if any(id_number_valid(m.group(1)) for m in ID_NUMBER.finditer(line)):
            hits.append(Hit(path, first_line + offset, "id_number"))
    return hits


def scan_files(starts: dict[Path, int]) -> tuple[int, list[Hit]]:
    """Scan each file from the byte offset given (what was written since); returns the
    lines scanned and the hits."""
    lines, hits = 0, []
    for path, start in starts.items():
        if not path.exists():
            continue
        data = path.read_bytes()
        text = data[start:].decode("utf-8", "replace")
        hits += scan_text(text, str(path), first_line=data[:start].count(b"\n") + 1)
        lines += text.count("\n")
    return lines, hits
