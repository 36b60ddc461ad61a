"""Durability drill (issue 5): the server killed with SIGKILL in the middle of a
registration burst loses no write it acknowledged, and the SQLite file stays sound.
scripts/drill_kill9.py does the work; `make reliability` runs 30 rounds, this 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only  # the embedded database; PostgreSQL is its own server

ROUNDS = int(os.environ.get("ANCHANG_DRILL_ROUNDS", "2"))
SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "drill_kill9.py"


def test_kill_9_mid_burst_loses_no_acknowledged_write(tmp_path):
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--rounds", str(ROUNDS), "--json", "--data-dir",
         str(tmp_path)],
        capture_output=True, text=True, timeout=120 + 30 * ROUNDS,
    )  # fmt: skip
    assert run.returncode in (0, 1), run.stderr[-2000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["rounds"] == ROUNDS
    assert summary["acknowledged"] > 0 and summary["rounds_without_writes"] == 0
    assert summary["lost"] == 0 and summary["integrity_failures"] == 0
    assert run.returncode == 0
