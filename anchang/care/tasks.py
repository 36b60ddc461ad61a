"""What the tick runs for owner care (anchang/scheduler/services.py RULES)."""

from __future__ import annotations

from datetime import datetime

from anchang.care.services import batches_queue_due, messages_send_due


def messages_send(now: datetime) -> int:
    """Queued messages whose time has come go out; those in doubt are settled first."""
    return messages_send_due(now)


def batches_queue(now: datetime) -> int:
    """Approved batches whose queueing stopped (a server restarted) go on."""
    return batches_queue_due(now)
