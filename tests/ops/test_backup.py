"""`anchang backup` and `anchang restore` on a real SQLite file, while something keeps writing.

pytest-django's SQLite test database lives in memory, so these tests give each case a data
folder of its own and run the real commands in subprocesses, the way cron and an operator do.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from anchang.backup import free_backup_path
from tests.conftest import built_once

_skip_on_postgres = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite backup and restore; PostgreSQL uses pg_dump/pg_restore",
)


def sqlite_file(test: Callable[..., None]) -> Callable[..., None]:
    """A test of the embedded SQLite file: its marker leaves it out of the PostgreSQL run
    (make test-postgres), and it skips when run by hand with DATABASE_URL on PostgreSQL."""
    return pytest.mark.sqlite_only(_skip_on_postgres(test))


_SCRIPT = Path(sys.executable).with_name("anchang")
ANCHANG = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "anchang.cli"]
FILLER_ROWS = 5000  # about 20 MB, so copying and checking take a measurable moment


def command_env(data_dir: Path, **extra: str) -> dict[str, str]:
    # The embedded mode only: no DATABASE_URL and no ANCHANG_* settings from the caller.
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "DATABASE_URL" and not key.startswith("ANCHANG_")
    }
    env.update(ANCHANG_DATA_DIR=str(data_dir), ANCHANG_LOG_LEVEL="WARNING", **extra)
    return env


def anchang(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ANCHANG, *args],
        env=command_env(data_dir, **env),
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=120,
    )


def connect_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def integrity(path: Path) -> list[str]:
    conn = connect_ro(path)
    try:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def dump(path: Path) -> list[str]:
    """Every statement that rebuilds the database, less the audit log's own rows (a restore
    appends one entry saying where the state came from)."""
    conn = connect_ro(path)
    try:
        return [
            line
            for line in conn.iterdump()
            if not line.startswith('INSERT INTO "audit_auditentry"')
            and "VALUES('audit_auditentry'" not in line
        ]
    finally:
        conn.close()


def restore_entries(path: Path) -> list[str]:
    conn = connect_ro(path)
    try:
        query = "SELECT details FROM audit_auditentry WHERE action = 'restore'"
        return [row[0] for row in conn.execute(query)]
    finally:
        conn.close()


def bench_ns(path: Path) -> list[int]:
    conn = connect_ro(path)
    try:
        return [row[0] for row in conn.execute("SELECT n FROM bench_writes ORDER BY n")]
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_bench_table(db: Path, rows: int = 0, filler: int = 0) -> None:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE bench_writes (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    conn.executemany("INSERT INTO bench_writes (n) VALUES (?)", [(n,) for n in range(1, rows + 1)])
    if filler:
        conn.execute("CREATE TABLE bench_filler (id INTEGER PRIMARY KEY, blob BLOB)")
        conn.execute(
            "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?) "
            "INSERT INTO bench_filler (blob) SELECT randomblob(4000) FROM c",
            (filler,),
        )
    conn.commit()
    conn.close()


class Writer(threading.Thread):
    """A second writer, like a gunicorn worker: commits rows one by one and notes each commit."""

    def __init__(self, db: Path) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.acked: list[int] = []  # n values whose COMMIT has returned
        self.errors: list[BaseException] = []
        self.halt = threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(self.db, timeout=20, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=20000")
        conn.execute("PRAGMA synchronous=NORMAL")
        n = 0
        try:
            while not self.halt.is_set():
                n += 1
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO bench_writes (n) VALUES (?)", (n,))
                conn.execute("COMMIT")
                self.acked.append(n)
                time.sleep(0.001)  # leave the lock free now and then, as requests do
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.errors.append(exc)
        finally:
            conn.close()


def _migrate(folder: Path) -> None:
    result = anchang(folder, "migrate", "--no-input", "-v0")
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One migrate for the whole run, whichever workers run the module; each test copies the
    # result (about 2 s saved each).
    return built_once(tmp_path_factory, "backup-template", _migrate)


@pytest.fixture
def data_dir(tmp_path: Path, migrated_template: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy2(migrated_template / "secret_key", folder / "secret_key")
    src = sqlite3.connect(migrated_template / "anchang.sqlite3")
    dst = sqlite3.connect(folder / "anchang.sqlite3")
    src.backup(dst)
    dst.close()
    src.close()
    return folder


def test_free_backup_path_never_reuses_a_name(tmp_path: Path) -> None:
    now = datetime(2026, 3, 1, 9, 30, 5, tzinfo=UTC)
    first = free_backup_path(tmp_path, now)
    assert first.name == "anchang-20260301-093005.sqlite3"
    first.touch()
    second = free_backup_path(tmp_path, now)
    assert second.name == "anchang-20260301-093005-1.sqlite3"


@sqlite_file
@pytest.mark.slow
def test_backup_while_writing_holds_every_acknowledged_commit(
    data_dir: Path, tmp_path: Path
) -> None:
    db = data_dir / "anchang.sqlite3"
    add_bench_table(db, filler=FILLER_ROWS)
    writer = Writer(db)
    writer.start()
    try:
        deadline = time.monotonic() + 10
        while len(writer.acked) < 50 and time.monotonic() < deadline and writer.is_alive():
            time.sleep(0.01)
        runs = []
        for i in range(3):
            acked_before = len(writer.acked)  # n = 1..acked_before are committed for sure
            out = tmp_path / f"copy-{i}.sqlite3"
            result = anchang(data_dir, "backup", "--output", str(out))
            runs.append((out, result, acked_before, len(writer.acked)))
    finally:
        writer.halt.set()
        writer.join(timeout=30)
    assert not writer.errors, writer.errors

    for out, result, acked_before, acked_after in runs:
        assert result.returncode == 0, result.stderr
        size = out.stat().st_size
        assert f"{out} (" in result.stdout and f"{size} bytes" in result.stdout
        assert acked_after > acked_before, "the writer was blocked during the backup"
        assert integrity(out) == ["ok"]
        ns = bench_ns(out)
        # One snapshot: the commits are a gap-free prefix, holding everything acknowledged
        # before the command started and nothing the writer had not yet reached at its end.
        assert ns == list(range(1, len(ns) + 1))
        assert acked_before <= len(ns) <= acked_after + 1
        conn = connect_ro(out)
        try:
            assert conn.execute("SELECT count(*) FROM bench_filler").fetchone()[0] == FILLER_ROWS
            # A self-contained file: no WAL to carry along when it is copied off the machine.
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        finally:
            conn.close()
        assert not Path(f"{out}-wal").exists()
        assert out.stat().st_mode & 0o077 == 0  # personal data: readable by the owner only

    live = sqlite3.connect(db)
    try:
        details = [
            json.loads(row[0])
            for row in live.execute(
                "SELECT details FROM audit_auditentry WHERE action = 'backup' ORDER BY id"
            )
        ]
    finally:
        live.close()
    assert details == [{"path": out.name, "bytes": out.stat().st_size} for out, *_ in runs]


@sqlite_file
@pytest.mark.slow
def test_backup_defaults_to_dated_private_files_in_data_dir(data_dir: Path) -> None:
    first = anchang(data_dir, "backup")
    second = anchang(data_dir, "backup")
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    folder = data_dir / "backups"
    files = sorted(folder.iterdir())
    assert len(files) == 2, files  # a second backup in the same second gets its own name
    for path in files:
        assert re.fullmatch(r"anchang-\d{8}-\d{6}(-\d+)?\.sqlite3", path.name)
        assert str(path) in first.stdout + second.stdout
        assert integrity(path) == ["ok"]
        assert path.stat().st_mode & 0o077 == 0
    assert folder.stat().st_mode & 0o077 == 0


@sqlite_file
@pytest.mark.slow
def test_backup_refuses_to_overwrite_a_file(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "precious.sqlite3"
    out.write_text("keep me")
    result = anchang(data_dir, "backup", "--output", str(out))
    assert result.returncode != 0
    assert "already exists" in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_text() == "keep me"


@sqlite_file
@pytest.mark.slow
def test_backup_of_a_damaged_database_fails_and_keeps_no_copy(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db = data / "anchang.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.execute("CREATE INDEX t_x ON t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(f"row{i:06d}",) for i in range(3000)])
    conn.commit()
    conn.close()
    # Change a value inside the table's pages behind SQLite's back: the index no longer
    # matches, which PRAGMA integrity_check reports (the backup API copies pages as they are).
    raw = bytearray(db.read_bytes())
    at = raw.index(b"row000010")
    raw[at : at + 3] = b"zzz"
    db.write_bytes(bytes(raw))
    assert integrity(db) != ["ok"]

    out = tmp_path / "out" / "copy.sqlite3"
    result = anchang(data, "backup", "--output", str(out))
    assert result.returncode != 0
    assert "integrity_check" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert list(out.parent.iterdir()) == []  # no half-written file left behind


@sqlite_file
@pytest.mark.slow
def test_restore_replaces_live_database_with_backup(data_dir: Path, tmp_path: Path) -> None:
    db = data_dir / "anchang.sqlite3"
    add_bench_table(db, rows=100)
    backup = tmp_path / "backup.sqlite3"
    made = anchang(data_dir, "backup", "--output", str(backup))
    assert made.returncode == 0, made.stderr
    expected = dump(backup)

    conn = sqlite3.connect(db)
    conn.executemany("INSERT INTO bench_writes (n) VALUES (?)", [(n,) for n in range(101, 151)])
    conn.execute("DELETE FROM bench_writes WHERE n <= 10")
    conn.execute("CREATE TABLE written_after_backup (x)")
    conn.commit()
    # A connection that stays open across the restore, like a server worker's.
    held = sqlite3.connect(db, timeout=20)
    assert held.execute("SELECT count(*) FROM bench_writes").fetchone()[0] == 140
    before = dump(db)
    assert before != expected

    refused = anchang(data_dir, "restore", str(backup))
    assert refused.returncode != 0
    assert "--yes" in refused.stderr
    assert str(db) in refused.stdout and "would replace" in refused.stdout
    assert dump(db) == before

    assert restore_entries(db) == []
    restored = anchang(data_dir, "restore", str(backup), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert dump(db) == expected
    assert len(restore_entries(db)) == 1 and backup.name in restore_entries(db)[0]
    assert integrity(db) == ["ok"]
    assert held.execute("SELECT count(*) FROM bench_writes").fetchone()[0] == 100
    assert held.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    held.close()
    conn.close()


def _text_file(folder: Path, live: Path) -> Path:
    path = folder / "notes.sqlite3"
    path.write_text("这不是数据库 / not a database\n" * 50)
    return path


def _truncated_backup(folder: Path, live: Path) -> Path:
    path = folder / "truncated.sqlite3"
    src, dst = sqlite3.connect(live), sqlite3.connect(path)
    src.backup(dst)
    dst.close()
    src.close()
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    return path


def _foreign_sqlite(folder: Path, live: Path) -> Path:
    path = folder / "other-app.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    return path


@sqlite_file
@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (lambda folder, live: folder / "missing.sqlite3", "No such file"),
        (lambda folder, live: folder, "Not a file"),
        (_text_file, "is not a SQLite database"),
        (_truncated_backup, "is damaged"),
        (_foreign_sqlite, "not an Anchang database"),
    ],
    ids=["missing", "directory", "text", "truncated", "foreign"],
)
@pytest.mark.slow
def test_restore_of_bad_input_fails_clearly_and_changes_nothing(
    data_dir: Path, tmp_path: Path, make_file, message: str
) -> None:
    db = data_dir / "anchang.sqlite3"
    folder = tmp_path / "input"
    folder.mkdir()
    path = make_file(folder, db)
    before = digest(db)
    result = anchang(data_dir, "restore", str(path), "--yes")
    assert result.returncode != 0
    assert message in result.stderr
    assert "Nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr
    assert digest(db) == before


@pytest.mark.parametrize(
    ("args", "tool"),
    [(["backup"], "pg_dump"), (["restore", "somewhere.dump", "--yes"], "pg_restore")],
    ids=["backup", "restore"],
)
@pytest.mark.slow
def test_postgresql_points_to_pg_tools(tmp_path: Path, args: list[str], tool: str) -> None:
    # Port 1 on loopback: any attempt to connect would fail at once instead of hanging.
    url = "postgres://crm:s3cr3t-pw@127.0.0.1:1/anchang"
    result = anchang(tmp_path, *args, DATABASE_URL=url)
    assert result.returncode == 2, result.stderr
    assert f"{tool} " in result.stderr
    assert "--username=crm" in result.stderr and "anchang" in result.stderr
    assert "s3cr3t-pw" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
