"""Deals' reactions to the apps below: a follow-up closes the milestone tasks it answers."""

from __future__ import annotations

from anchang.dates import local_date
from anchang.deals.services import tasks_close_by_followup
from anchang.followups.events import FollowUpRecorded
from anchang.org.selectors import project_rules


def followup_recorded(event: FollowUpRecorded) -> None:
    followup = event.followup
    tz = project_rules(followup.customer.project).tz
    tasks_close_by_followup(
        customer_id=followup.customer_id, kind=followup.kind, reached=followup.reached,
        followup_id=followup.pk, day=local_date(tz, followup.occurred_at), at=followup.occurred_at,
    )  # fmt: skip
