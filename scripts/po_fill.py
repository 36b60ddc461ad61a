"""Refresh the zh-Hans catalogue and fill translations from a JSON file.

    .venv/bin/python scripts/po_fill.py var/tr/mine.json

The JSON maps msgid to msgstr ({"Shared pool": "公海"}); a message with a context is keyed
"context|msgid"; a plural message by its singular msgid (Chinese has one form). Runs
`make makemessages` first, under a lock, so people working side by side do not overwrite each
other's catalogue, then compiles the .mo file. Prints what is still untranslated.
"""

import fcntl
import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "anchang/locale/zh_Hans/LC_MESSAGES/django.po"
BIN = ROOT / ".venv/bin"


def main(paths: list[str]) -> int:
    wanted: dict[tuple[str, str | None], str] = {}
    for path in paths:
        for key, value in json.loads(Path(path).read_text()).items():
            context, _, msgid = key.rpartition("|") if "|" in key else (None, "", key)
            wanted[(msgid, context or None)] = value
    with (ROOT / "var/.po.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # the Makefile's extraction (pybabel), so the catalogue keeps the shape it is kept in
        subprocess.run(["make", "makemessages"], cwd=ROOT, check=True, capture_output=True)
        with PO.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            singular = message.id[0] if isinstance(message.id, tuple) else message.id
            value = wanted.get((singular, message.context))
            if value is None:
                continue
            message.string = (value,) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
        for message in catalog:
            # makemessages guesses from similar msgids; a guess is wrong more often than not.
            if "fuzzy" in message.flags and message.id:
                message.string = ("",) if isinstance(message.id, tuple) else ""
                message.flags.discard("fuzzy")
                message.previous_id = []
        with PO.open("wb") as handle:
            write_po(handle, catalog, width=76, no_location=True, sort_output=True)
        compiled = subprocess.run(
            [BIN / "pybabel", "compile", "-i", PO, "-o", PO.with_suffix(".mo"), "--use-fuzzy"],
            capture_output=True, text=True,
        )  # fmt: skip
        if compiled.returncode:  # e.g. a translation with a placeholder the msgid lacks
            print(compiled.stderr, file=sys.stderr)
            return 1
    missing = [m.id for m in catalog if m.id and (not m.string or "fuzzy" in m.flags)]
    print("untranslated:", missing)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
