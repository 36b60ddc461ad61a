"""Backup drill: `anchang backup` while the real server takes registrations, then every
backup restored and checked.

    python scripts/drill_backup.py --backups 10 [--data-dir DIR] [--json]

The server (`anchang serve`, gunicorn, on the embedded SQLite database) takes registrations
through the API from four threads, and `anchang backup` runs again and again meanwhile, as
cron would. Then, for each backup:

- the command succeeded, and `PRAGMA integrity_check` on the file says ok;
- it is one moment of the database: every registration acknowledged before the backup
  started is in it, and its registrations are exactly the ones the server had committed up
  to its newest one (no gap, nothing invented);
- `anchang restore --yes` puts it into a fresh data folder, where `PRAGMA integrity_check`
  says ok, every table holds as many rows as in the backup (the audit log one more: the
  restore itself), and `anchang migrate --check` finds the schema complete.

Prints one line per backup and a summary; exits 1 unless every backup restored and passed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from drill_kill9 import BIN, prepare, start_bursts, start_server, wait_until_up  # noqa: E402

AUDIT_TABLE = "audit_auditentry"


def table_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def integrity(path: Path) -> str:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return "; ".join(row[0] for row in db.execute("PRAGMA integrity_check"))


def registration_ids(path: Path) -> list[int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return [r[0] for r in db.execute("SELECT id FROM customers_registration ORDER BY id")]


def take_backups(data_dir: Path, env: dict, count: int, out: Path, acknowledged: list) -> list:
    """`anchang backup` `count` times while the burst runs; notes what was acknowledged
    before each started."""
    taken = []
    for number in range(1, count + 1):
        time.sleep(0.3)  # let some writes land between backups
        before = set(acknowledged)
        path = out / f"backup-{number:02d}.sqlite3"
        run = subprocess.run(
            [str(BIN / "anchang"), "backup", "--output", str(path)],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        taken.append({"number": number, "path": path, "returncode": run.returncode,
                      "stderr": run.stderr[-500:], "acknowledged_before": before})  # fmt: skip
    return taken


def check(backup: dict, committed: list[int], secret_key: Path, work: Path) -> dict:
    path: Path = backup["path"]
    result = {"backup": backup["number"], "made": backup["returncode"] == 0}
    if not result["made"]:
        return {**result, "problem": backup["stderr"] or "anchang backup failed"}
    result["integrity"] = integrity(path)
    ids = registration_ids(path)
    newest = ids[-1] if ids else 0
    result["registrations"] = len(ids)
    result["missing_acknowledged"] = len(backup["acknowledged_before"] - set(ids))
    # One moment: exactly the committed registrations up to the newest one it holds.
    result["one_moment"] = ids == [i for i in committed if i <= newest]
    counts = table_counts(path)
    target = work / f"restore-{backup['number']:02d}"
    target.mkdir()
    shutil.copy2(secret_key, target / "secret_key")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(ANCHANG_DATA_DIR=str(target), DJANGO_SETTINGS_MODULE="anchang.settings",
               ANCHANG_LOG_LEVEL="WARNING")  # fmt: skip
    restore = subprocess.run([str(BIN / "anchang"), "restore", str(path), "--yes"], env=env,
                             capture_output=True, text=True, timeout=120)  # fmt: skip
    result["restored"] = restore.returncode == 0
    if not result["restored"]:
        return {**result, "problem": restore.stderr[-500:]}
    live = target / "anchang.sqlite3"
    result["restored_integrity"] = integrity(live)
    after = table_counts(live)
    expected = {**counts, AUDIT_TABLE: counts.get(AUDIT_TABLE, 0) + 1}  # + the restore entry
    result["count_mismatches"] = sorted(t for t in expected if after.get(t) != expected[t])
    migrations = subprocess.run([str(BIN / "anchang"), "migrate", "--check"], env=env,
                                capture_output=True, text=True, timeout=120)  # fmt: skip
    result["schema_complete"] = migrations.returncode == 0
    result["passed"] = (
        result["integrity"] == "ok" and result["restored_integrity"] == "ok"
        and result["missing_acknowledged"] == 0 and result["one_moment"]
        and not result["count_mismatches"] and result["schema_complete"]
    )  # fmt: skip
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backups", type=int, default=10)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    work = args.data_dir or Path(tempfile.mkdtemp(prefix="anchang-backup-drill-"))
    data_dir = work / "live"
    (work / "backups").mkdir(parents=True, exist_ok=True)
    data_dir.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # the embedded DB
    env.update(ANCHANG_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="anchang.settings",
               ANCHANG_LOG_LEVEL="WARNING")  # fmt: skip
    setup = prepare(data_dir, env)
    base, server = start_server(env)
    acknowledged: list[int] = []
    stop = threading.Event()
    errors: list[str] = []
    threads = []
    try:
        wait_until_up(base, server)
        threads = start_bursts(base, setup, "137", acknowledged, stop, errors, 1_000_000)
        deadline = time.monotonic() + 30
        while len(acknowledged) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        backups = take_backups(data_dir, env, args.backups, work / "backups", acknowledged)
        written_during = len(acknowledged)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if errors:
        raise SystemExit(f"drill: the server refused a registration: {errors[0]}")
    committed = registration_ids(data_dir / "anchang.sqlite3")
    results = []
    for backup in backups:
        result = check(backup, committed, data_dir / "secret_key", work)
        results.append(result)
        if not args.json:
            print(f"backup {result['backup']}: " + ", ".join(
                f"{k} {v}" for k, v in result.items() if k != "backup"))  # fmt: skip
    summary = {
        "backups": len(results),
        "restored_and_passed": sum(bool(r.get("passed")) for r in results),
        "acknowledged_writes": written_during,
        "registrations_in_newest": max((r.get("registrations", 0) for r in results), default=0),
    }
    print(json.dumps(summary) if args.json else f"drill: {summary}")
    ok = summary["restored_and_passed"] == summary["backups"] == args.backups
    return 0 if ok and written_during > 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
