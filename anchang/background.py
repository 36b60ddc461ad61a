"""Work a request starts and does not wait for (an import's commit, 导入): run in a thread of
the serving process once the request's transaction commits. The work itself must be
resumable: a thread dies with its process, and the tick picks up what it left (each job
keeps a heartbeat). `ANCHANG_BACKGROUND=inline` runs it in the request instead (tests,
scripts)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connections, transaction

logger = logging.getLogger(__name__)


def run_after_commit(job: Callable[..., object], *args: object) -> None:
    if settings.ANCHANG_BACKGROUND == "inline":
        transaction.on_commit(lambda: job(*args))
        return
    transaction.on_commit(
        lambda: threading.Thread(target=_run, args=(job, *args), daemon=True).start()
    )


def _run(job: Callable[..., object], *args: object) -> None:
    close_old_connections()
    try:
        job(*args)
    except Exception:  # the job records its own failure; the tick retries a dead one
        logger.exception("background job %s failed", getattr(job, "__name__", job))
    finally:
        connections.close_all()
