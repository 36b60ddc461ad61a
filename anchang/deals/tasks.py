"""What the tick runs for deals (anchang/scheduler/services.py RULES)."""

from __future__ import annotations

from datetime import datetime

from anchang.deals.services import holds_release_expired, tasks_create_due


def milestone_tasks_due(now: datetime) -> int:
    """Milestone tasks whose day comes within the horizon (idempotent)."""
    return tasks_create_due(now)


def holds_expire(now: datetime) -> int:
    """Holds past their minutes return to sale."""
    return holds_release_expired(now)
