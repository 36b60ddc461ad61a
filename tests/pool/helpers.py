"""pool: the shared helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from anchang.scheduler.services import tick

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


class Clock:
    def __init__(self, monkeypatch, start: datetime):
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def _overrides(project, **values):
    project.rules_overrides = {"pool": values}
    project.save()


def _pooled(world, clock, n: int, owner=None):
    """n customers registered by owner 31 days ago and returned to the pool by the tick."""
    owner = owner or world.consultants["p1"][0]
    customers = [world.register(owner, name=f"公海{i}").customer for i in range(n)]
    clock.advance(days=31)
    tick()
    for c in customers:
        c.refresh_from_db()
        assert c.owner_id is None and c.pool_entered_at is not None
    return customers
