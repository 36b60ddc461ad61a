"""`anchang tick`: apply the time-driven rules once, or every N seconds with --every."""

import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from anchang.scheduler.services import tick


class Command(BaseCommand):
    help = "Apply the time-driven rules (shared pool reclaim, revisit plan due dates) once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, default=0, help="repeat every N seconds (0: run once)"
        )

    def handle(self, *args, every: int, **options):
        if every:  # a long-lived process (it may resume a large import): the server's heap
            from anchang.gunicorn_conf import settle_heap

            settle_heap()
        parent = os.getppid()
        while True:
            run = tick()
            summary = ", ".join(f"{k}={v}" for k, v in run.changes.items()) or "no changes"
            if run.changes or not every:  # a quiet minute is not worth a line in the server log
                self.stdout.write(f"tick {run.started_at:%Y-%m-%d %H:%M:%S}: {summary}")
            if run.error:
                self.stderr.write(run.error)
            if not every:
                if run.error:
                    raise CommandError("some rules failed; see above")
                return
            close_old_connections()
            deadline = time.monotonic() + every
            while time.monotonic() < deadline:
                # Started by `anchang serve`: stop when the server it belongs to is gone.
                if os.getppid() != parent:
                    return
                time.sleep(1)
