"""Keep personal data out of logs (PIPL): mobiles and ID numbers are masked in every record."""

import logging
import re

# CN mobiles (optionally +86/0086 prefixed) and 18-character resident ID numbers.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86|0086)?[\s-]?(1[3-9]\d)[\s-]?\d{4}[\s-]?(\d{4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}\d{7}[\dXx](?![0-9A-Za-z])")


def mask_text(text: str) -> str:
    text = _ID_NUMBER.sub("[ID]", text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not drop the record
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
