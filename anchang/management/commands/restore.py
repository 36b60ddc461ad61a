"""`anchang restore PATH --yes`: put a backup made by `anchang backup` back in place."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils import timezone

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.backup import (
    BackupError,
    human_size,
    pg_restore_command,
    sqlite_inspect,
    sqlite_restore,
)


def _when(posix_time: float) -> str:
    return f"{timezone.localtime(datetime.fromtimestamp(posix_time, tz=UTC)):%Y-%m-%d %H:%M:%S}"


class Command(BaseCommand):
    help = (
        "Replace the embedded SQLite database with a backup, through SQLite's backup API. "
        "Stop the server first. Without --yes, only shows what would be replaced."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="A file written by `anchang backup`.")
        parser.add_argument("--yes", action="store_true", help="Really replace the live database.")

    def handle(self, *args: Any, path: Path, yes: bool, **options: Any) -> None:
        db = settings.DATABASES["default"]
        engine = db["ENGINE"]
        if "postgresql" in engine:
            raise CommandError(
                "This installation runs on PostgreSQL, which is restored with pg_restore, "
                "not with `anchang restore`. Stop the server, then run:\n"
                f"    {pg_restore_command(db, str(path))}\n"
                "Give the password through PGPASSWORD or ~/.pgpass.",
                returncode=2,
            )
        if not engine.endswith("sqlite3"):
            raise CommandError(
                f"`anchang restore` supports SQLite only, not {engine}.", returncode=2
            )

        live = Path(db["NAME"])
        try:
            backup = sqlite_inspect(path)
        except BackupError as exc:
            raise CommandError(f"{exc} Nothing was changed.") from exc
        if live.exists() and live.resolve() == path.resolve():
            raise CommandError(f"{path} is the live database itself; nothing to restore.")

        if live.exists():
            stat = live.stat()
            current = f"{live}  ({human_size(stat.st_size)}, last changed {_when(stat.st_mtime)})"
        else:
            current = f"{live}  (does not exist yet)"
        self.stdout.write(
            f"{'Replacing' if yes else 'This would replace'} the live database\n"
            f"    {current}\n"
            f"with the backup\n"
            f"    {backup.path.absolute()}  ({human_size(backup.bytes)}, "
            f"written {_when(backup.modified)}, {backup.migrations} migrations applied)"
        )
        if not yes:
            raise CommandError(
                "Not restored: everything written since the backup would be lost. "
                "Stop the server, then run again with --yes."
            )

        # Our own Django connection must not hold the live file open during the restore.
        connections.close_all()
        try:
            sqlite_restore(backup=backup.path, live=live)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        # Recorded in the restored database, so its log says where its state came from.
        audit_record(
            action=AuditEntry.Action.RESTORE,
            actor_label="anchang restore",
            details={"from": backup.path.name, "bytes": backup.bytes},
        )
        self.stdout.write(
            f"Restored {backup.path.name} into {live}. "
            "Run `anchang migrate` if the backup comes from an older version, "
            "then start the server."
        )
