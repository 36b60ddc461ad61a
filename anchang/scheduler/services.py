"""`anchang tick`: the time-driven rules, applied in one idempotent pass.

Overdue follow-ups need no writing (My day compares dates when it reads); what the clock
changes is who owns a customer (the shared pool) and which revisit plans are past due; and
the new follow-ups are checked for suspicious records once, their flags stored."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import timezone

from anchang.assignment.tasks import channel_reports_expire, imports_go_on
from anchang.care.tasks import batches_queue, messages_send
from anchang.customers.services.tally import tally_fold
from anchang.deals.tasks import holds_expire, milestone_tasks_due
from anchang.pool.services import pool_reclaim_due
from anchang.scheduler.models import TickRun

logger = logging.getLogger(__name__)
KEEP_RUNS = timedelta(days=7)


def _plans_close_due(now: datetime) -> int:
    # built alongside; absent in older checkouts
    from anchang.followups.revisits import services as revisits

    return revisits.plans_close_due(now)


def _suspicion_flags(now: datetime) -> int:
    from anchang.followups.suspicion.services import flags_detect_due

    return flags_detect_due(now)


# (name in the run's summary, the rule) — each returns how many records it changed.
RULES: list[tuple[str, Callable[[datetime], int]]] = [
    ("reclaimed_to_pool", pool_reclaim_due),
    ("revisit_plans_closed", _plans_close_due),
    # copy-paste and bursts need the records around a new one: checked here, once each
    ("suspicion_flags", _suspicion_flags),
    # milestone tasks dated months ahead (quality checks after handover) are created when
    # they come within the horizon; holds past their minutes return to sale
    ("milestone_tasks", milestone_tasks_due),
    ("holds_expired", holds_expire),
    # channel reports (渠道报备) whose windows passed
    ("channel_reports_expired", channel_reports_expire),
    # imports (导入) whose background commit stopped with its server go on
    ("imports_resumed", imports_go_on),
    # batches (群发) whose queueing stopped; then queued messages whose time came and those
    # left in doubt by a dead worker
    ("batch_messages_queued", batches_queue),
    ("messages_sent", messages_send),
]
# Upkeep, not rules: they change no record a person reads, so the run's summary omits them.
UPKEEP: list[tuple[str, Callable[[datetime], int]]] = [
    # the manager's board sums the customer tally: its entries folded, one row per key
    ("tally_fold", tally_fold),
]


def tick(now: datetime | None = None) -> TickRun:
    """Apply every rule once. Running it again at the same moment changes nothing."""
    now = now or timezone.now()
    run = TickRun.objects.create(started_at=now)
    changes: dict[str, int] = {}
    errors: list[str] = []
    for name, rule in RULES + UPKEEP:
        try:
            changed = rule(now)
        except Exception as exc:  # one broken rule must not stop the others
            logger.exception("tick rule %s failed", name)
            errors.append(f"{name}: {exc.__class__.__name__}: {exc}")
            continue
        if changed and (name, rule) in RULES:
            changes[name] = changed
    run.finished_at = timezone.now()
    run.changes = changes
    run.error = "\n".join(errors)[:2000]
    run.save(update_fields=["finished_at", "changes", "error"])
    TickRun.objects.filter(started_at__lt=now - KEEP_RUNS).delete()
    return run


def last_tick() -> TickRun | None:
    return TickRun.objects.order_by("-started_at").first()
