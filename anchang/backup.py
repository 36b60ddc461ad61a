"""Back up and restore the embedded SQLite database while the server keeps running.

Both directions use SQLite's online backup API. It copies the pages under one read
transaction, so a backup is one committed snapshot even in WAL mode with gunicorn writing;
copying the file (without its -wal) is not. A restore writes into the live database through
SQLite itself, so the live -wal and -shm stay consistent and open connections see the new
content at their next transaction.

Plain sqlite3 and no Django here: the management commands read the settings and audit.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

SQLITE_MAGIC = b"SQLite format 3\x00"
BACKUP_SUFFIX = ".sqlite3"


class BackupError(Exception):
    """A message for the operator; the commands print it without a traceback."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int


@dataclass(frozen=True)
class DatabaseInfo:
    path: Path
    bytes: int
    modified: float  # POSIX time of the last change to the file
    migrations: int  # rows in django_migrations


def free_backup_path(directory: Path, now: datetime) -> Path:
    """A path in `directory` named after `now` (anchang-YYYYmmdd-HHMMSS) that is still free."""
    stem = f"anchang-{now:%Y%m%d-%H%M%S}"
    path = directory / f"{stem}{BACKUP_SUFFIX}"
    counter = 1
    # Two backups in the same second (cron plus a person) must not overwrite each other.
    while path.exists():
        path = directory / f"{stem}-{counter}{BACKUP_SUFFIX}"
        counter += 1
    return path


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    size = n / 1024
    for unit in ("KB", "MB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _connect_readonly(path: Path) -> sqlite3.Connection:
    # mode=ro: validating or copying a database must never create or change it.
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=20)
    conn.execute("PRAGMA busy_timeout=20000")
    return conn


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """The lines of PRAGMA integrity_check other than "ok" (empty when the file is sound)."""
    try:
        rows = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:  # "file is not a database", "disk image is malformed"
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def _summary(problems: list[str]) -> str:
    shown = "; ".join(problems[:3])
    return shown + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else "")


def sqlite_backup(*, source: Path, target: Path) -> BackupResult:
    """Copy the live database at `source` into the new file `target` and verify the copy."""
    if not source.is_file():
        raise BackupError(f"No database at {source}. Run `anchang migrate` first.")
    if target.exists():
        raise BackupError(f"{target} already exists; choose another path or remove it first.")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename at the end, so a half-written or damaged copy never
    # carries the name of a good backup. mkstemp creates the file private (0600): it holds
    # customers' personal data.
    fd, partial_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
    )
    os.close(fd)
    partial = Path(partial_name)
    try:
        try:
            src = _connect_readonly(source)
            dst = sqlite3.connect(partial)
            try:
                # pages=-1 copies everything in one step under one read snapshot. Step-wise
                # copying restarts whenever another process writes, so it may never finish
                # on a busy server; in WAL mode the single step does not block writers.
                src.backup(dst, pages=-1)
                # The copy inherits WAL mode; a backup should be one self-contained file.
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
                src.close()
        except sqlite3.Error as exc:
            raise BackupError(f"Could not copy {source}: {exc}") from exc
        check = _connect_readonly(partial)
        try:
            problems = integrity_problems(check)
        finally:
            check.close()
        if problems:
            # The backup API copies pages as they are, so the damage is in the live database.
            raise BackupError(
                f"The copy failed PRAGMA integrity_check: {_summary(problems)}. "
                f"The live database {source} is probably damaged; no backup was kept."
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path=target, bytes=target.stat().st_size)


def sqlite_inspect(path: Path) -> DatabaseInfo:
    """Check that `path` is a sound Anchang SQLite database; raise BackupError otherwise."""
    if not path.exists():
        raise BackupError(f"No such file: {path}.")
    if not path.is_file():
        raise BackupError(f"Not a file: {path}.")
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_MAGIC))
    if header != SQLITE_MAGIC:
        raise BackupError(f"{path} is not a SQLite database.")
    try:
        conn = _connect_readonly(path)
    except sqlite3.Error as exc:
        raise BackupError(f"Cannot open {path}: {exc}") from exc
    try:
        problems = integrity_problems(conn)
        if problems:
            raise BackupError(f"{path} is damaged (PRAGMA integrity_check: {_summary(problems)}).")
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            migrations = (
                conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
                if "django_migrations" in tables
                else 0
            )
        except sqlite3.Error as exc:
            raise BackupError(f"Cannot read {path}: {exc}") from exc
    finally:
        conn.close()
    if "django_migrations" not in tables:
        raise BackupError(f"{path} is not an Anchang database (no django_migrations table).")
    stat = path.stat()
    return DatabaseInfo(
        path=path, bytes=stat.st_size, modified=stat.st_mtime, migrations=migrations
    )


def sqlite_restore(*, backup: Path, live: Path) -> None:
    """Replace the content of the live database with `backup`, in one transaction.

    The caller validates `backup` with sqlite_inspect first.
    """
    if live.exists() and live.resolve() == backup.resolve():
        raise BackupError(f"{backup} is the live database itself; nothing to restore.")
    live.parent.mkdir(parents=True, exist_ok=True)
    try:
        src = _connect_readonly(backup)
        dst = sqlite3.connect(live, timeout=20)
        try:
            dst.execute("PRAGMA busy_timeout=20000")
            # The server runs the live file in WAL mode; keep it so (a no-op when it already is).
            dst.execute("PRAGMA journal_mode=WAL")
            # One step: the live file changes in a single write transaction, so a failure
            # leaves it as it was, and other connections wait on the lock instead of reading
            # a half-restored database.
            src.backup(dst, pages=-1)
            # Fold the restored pages into the main file now rather than at some later write.
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(
            f"Restore into {live} failed: {exc}. The live database was not changed."
        ) from exc


def _pg_connection_args(db: dict[str, Any]) -> list[str]:
    # The password is left out on purpose: it belongs in PGPASSWORD or ~/.pgpass, not in
    # a command line that lands in shell history and process lists.
    args = []
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    return args


def pg_dump_command(db: dict[str, Any], output: Path) -> str:
    argv = [
        "pg_dump",
        "--format=custom",
        "--no-owner",
        *_pg_connection_args(db),
        f"--file={output}",
        str(db.get("NAME") or ""),
    ]
    return shlex.join(argv)


def pg_restore_command(db: dict[str, Any], path: str) -> str:
    argv = [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        *_pg_connection_args(db),
        f"--dbname={db.get('NAME') or ''}",
        path,
    ]
    return shlex.join(argv)
