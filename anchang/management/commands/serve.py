"""`anchang serve`: migrate, collect static files, then run gunicorn (a production server)."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Anchang with gunicorn (migrates and collects static files first)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("ANCHANG_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("ANCHANG_WORKERS", 2))
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("ANCHANG_THREADS", 1)),
            help="threads per worker (1: gunicorn's sync worker, the fastest on few cores)",
        )
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument(
            "--no-tick",
            action="store_true",
            help="do not apply the time-driven rules every minute (run `anchang tick` elsewhere)",
        )

    def handle(self, *args, bind, workers, threads, no_migrate, no_tick, **options):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        _collect_static()
        self.stdout.write(f"Anchang is serving on http://{bind}/  (database: {_db_label()})")
        sys.stdout.flush()
        if not no_tick:
            # The ticker outlives this process's exec into gunicorn and stops when it ends.
            subprocess.Popen([sys.executable, "-m", "anchang.cli", "tick", "--every", "60"])  # noqa: S603
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "anchang.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            # One thread per worker by default: a page is CPU work in Python, and threads
            # in one process queue for the GIL (measured: 85 requests/s with sync workers,
            # 51 with 4 threads, on two cores). More workers, not threads, add capacity.
            "--threads",
            str(threads),
            "--config",
            "python:anchang.gunicorn_conf",
            "--timeout",
            "60",
            "--graceful-timeout",
            "20",
            # No control socket: it lives in the home folder (a service account may have
            # none) and two servers on one machine would share it.
            "--no-control-socket",
            "--access-logfile",
            "-",
            # Access logs show paths only; phones never travel in URLs.
            "--access-logformat",
            '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - replace this process with the server


def _db_label() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return f"PostgreSQL {db.get('HOST') or 'local socket'}/{db['NAME']}"


STAMP = ".anchang-static-stamp"


def _static_sources_stamp() -> str:
    """What collectstatic would copy: every source file's path, size and modification time."""
    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _collect_static() -> None:
    """collectstatic, unless nothing changed since the last run: hashing and compressing
    ~1,000 files takes half a minute of both cores, and a restart should not wait for it."""
    root = Path(settings.STATIC_ROOT)
    stamp = _static_sources_stamp()
    stamp_file = root / STAMP
    manifest = root / "staticfiles.json"
    if manifest.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp_file.write_text(stamp)
