"""Arithmetic on a BIGINT column with a Python int goes through `dbfunctions.bigint`.

A bare int in an expression is bound by Django's PostgreSQL backend (server-side binding)
as psycopg's Int4, cut to its low 32 bits: `F("received_total") + fen` recorded a ¥30,000,000
receipt as something else, and a conditional UPDATE's limit let an overpayment through.
This scans every module for `F("<a BIGINT column>") ± <not bigint(...)>`; the behaviour
itself is tested with amounts past 2**31 on both databases (tests/deals/test_services.py)."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

ARITHMETIC = re.compile(r'F\("(\w+)"\)\s*[-+]\s*(?!bigint\()(\S+)')


def _bigint_columns() -> set[str]:
    return {
        field.name
        for model in apps.get_models()
        if model.__module__.startswith("anchang.")
        for field in model._meta.get_fields()
        if isinstance(field, models.BigIntegerField) and not field.primary_key
    }


def test_bigint_columns_are_summed_with_typed_values():
    columns = _bigint_columns()
    assert {"received_total", "planned_total", "standard_price"} <= columns
    found = []
    for path in Path(settings.BASE_DIR).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in ARITHMETIC.finditer(text):
            if match.group(1) in columns:
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {match.group(0)}")
    assert not found, "wrap the int in anchang.dbfunctions.bigint():\n" + "\n".join(found)
