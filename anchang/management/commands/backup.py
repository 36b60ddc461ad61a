"""`anchang backup`: a consistent copy of the embedded SQLite database, taken while serving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from anchang.audit.models import AuditEntry
from anchang.audit.services import audit_record
from anchang.backup import BackupError, free_backup_path, human_size, pg_dump_command, sqlite_backup


class Command(BaseCommand):
    help = (
        "Copy the embedded SQLite database with SQLite's online backup API (safe while the "
        "server runs), verify the copy with PRAGMA integrity_check and audit it. "
        "On PostgreSQL, prints the pg_dump command to use instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="File to write, or an existing folder to write into "
            "(default: DATA_DIR/backups/anchang-YYYYmmdd-HHMMSS.sqlite3).",
        )

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        db = settings.DATABASES["default"]
        engine = db["ENGINE"]
        now = timezone.localtime()
        if "postgresql" in engine:
            dump = Path(settings.DATA_DIR) / "backups" / f"anchang-{now:%Y%m%d-%H%M%S}.dump"
            raise CommandError(
                "This installation runs on PostgreSQL, which is backed up with pg_dump, "
                "not with `anchang backup`. Run:\n"
                f"    {pg_dump_command(db, dump)}\n"
                "Give the password through PGPASSWORD or ~/.pgpass.",
                returncode=2,
            )
        if not engine.endswith("sqlite3"):
            raise CommandError(
                f"`anchang backup` supports SQLite only, not {engine}.", returncode=2
            )

        if output is None:
            folder = Path(settings.DATA_DIR) / "backups"
            # Backups hold customers' personal data: only the service user may read them.
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            target = free_backup_path(folder, now)
        elif output.is_dir():
            target = free_backup_path(output, now)
        else:
            target = output
        try:
            result = sqlite_backup(source=Path(db["NAME"]), target=target.absolute())
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        try:
            audit_record(
                action=AuditEntry.Action.BACKUP,
                details={"path": result.path.name, "bytes": result.bytes},
            )
        except DatabaseError as exc:
            raise CommandError(
                f"The backup {result.path} was written, but its audit entry failed: {exc}"
            ) from exc
        self.stdout.write(
            f"Backup written: {result.path} ({human_size(result.bytes)}, {result.bytes} bytes)"
        )
