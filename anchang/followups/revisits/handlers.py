"""How revisit plans react to the follow-up engine's events (followups/events.py);
FollowupsConfig.ready() subscribes these, so the engine never imports its subpackages."""

from __future__ import annotations

from anchang.followups.events import FollowUpRecorded
from anchang.followups.revisits import services


def followup_recorded(event: FollowUpRecorded) -> None:
    """A follow-up completes its customer's open task in a running plan
    (docs/domain.md#revisit-plans)."""
    services.tasks_complete_for(event.followup)
