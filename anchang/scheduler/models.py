"""Runs of `anchang tick`: when the time-driven rules were last applied, and what changed."""

from django.db import models


class TickRun(models.Model):
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # e.g. {"reclaimed": 3, "plans_closed": 1}; empty when the run changed nothing
    changes = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["-started_at"])]

    def __str__(self) -> str:
        return f"tick {self.started_at:%Y-%m-%d %H:%M:%S}"
