"""Durability drills (issue 5) on the embedded database, against the real server:

- killed with SIGKILL in the middle of a registration burst, it loses no write it
  acknowledged, and the SQLite file stays sound (scripts/drill_kill9.py; `make
  reliability` runs 30 rounds, this 2);
- `anchang backup` taken while it writes gives backups that restore, pass the integrity
  check and hold the same rows (scripts/drill_backup.py; `make reliability` takes 10,
  this 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only  # the embedded database; PostgreSQL is its own server

ROUNDS = int(os.environ.get("ANCHANG_DRILL_ROUNDS", "2"))
BACKUPS = int(os.environ.get("ANCHANG_DRILL_BACKUPS", "2"))
SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
SCRIPT = SCRIPTS / "drill_kill9.py"


@pytest.mark.slow
def test_kill_9_mid_burst_loses_no_acknowledged_write(tmp_path, static_env):
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--rounds", str(ROUNDS), "--json", "--data-dir",
         str(tmp_path)],
        capture_output=True, text=True, timeout=120 + 30 * ROUNDS, env=static_env,
    )  # fmt: skip
    assert run.returncode in (0, 1), run.stderr[-2000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["rounds"] == ROUNDS
    assert summary["acknowledged"] > 0 and summary["rounds_without_writes"] == 0
    assert summary["lost"] == 0 and summary["integrity_failures"] == 0
    assert run.returncode == 0


@pytest.mark.slow
def test_backups_under_writes_restore_whole(tmp_path, static_env):
    run = subprocess.run(
        [sys.executable, str(SCRIPTS / "drill_backup.py"), "--backups", str(BACKUPS), "--json",
         "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=180 + 60 * BACKUPS, env=static_env,
    )  # fmt: skip
    assert run.returncode in (0, 1), run.stderr[-2000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["backups"] == BACKUPS and summary["acknowledged_writes"] > 0
    assert summary["restored_and_passed"] == BACKUPS
    assert run.returncode == 0
