"""What the follow-up engine's services publish for the parts built on it (anchang/events.py):
the revisit plans, a subpackage, learn of a follow-up without the core importing them."""

from __future__ import annotations

from dataclasses import dataclass

from anchang.events import Event
from anchang.followups.models import FollowUp


@dataclass(frozen=True)
class FollowUpRecorded(Event):
    """A follow-up was recorded (after the customer's next date and grade moved)."""

    followup: FollowUp
