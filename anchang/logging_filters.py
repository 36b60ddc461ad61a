"""Keep personal data out of logs (PIPL): mobiles and ID numbers are masked in every record,
in its message and in the traceback and stack text formatted from it."""

import logging
import re

# CN mobiles (optionally +86/0086 prefixed) and 18-character resident ID numbers.
# The separator after a prefix belongs to it: "call 138..." keeps its space.
_MOBILE = re.compile(r"(?<!\d)(?:(?:\+?86|0086)[\s-]?)?(1[3-9]\d)[\s-]?\d{4}[\s-]?(\d{4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}\d{7}[\dXx](?![0-9A-Za-z])")
# Formats a record's exception once, the way every handler's formatter would.
_FORMATTER = logging.Formatter()


def mask_text(text: str) -> str:
    text = _ID_NUMBER.sub("[ID]", text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not drop the record
            message = None
        if message is not None:
            masked = mask_text(message)
            if masked != message:
                record.msg, record.args = masked, None
        # A traceback carries the exception's text (a decoded cursor, a phone in a query):
        # format it here, masked; formatters use exc_text as it is when it is set.
        if record.exc_info and not record.exc_text:
            try:
                record.exc_text = _FORMATTER.formatException(record.exc_info)
            except Exception:  # noqa: BLE001 - keep the record, even without its traceback
                record.exc_text = "(the traceback could not be formatted)"
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


class MaskingFormatter(logging.Formatter):
    """The last line of defence: whatever a record's parts were, the line written is masked
    (a handler without the filter, a message built after filtering)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))
