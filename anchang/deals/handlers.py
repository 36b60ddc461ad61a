"""Deals' reactions to the apps below: a follow-up closes the milestone tasks it answers; a
customer's open milestone tasks follow them to a new owner."""

from __future__ import annotations

from anchang.customers.events import OwnerChanged
from anchang.dates import local_date
from anchang.deals.models import MilestoneTask
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


def owner_changed(event: OwnerChanged) -> None:
    """A customer handed to another consultant takes their open milestone tasks along (the new
    owner calls them now); in the pool (no owner) the tasks stay where they were."""
    if event.owner is not None and event.customer.pk is not None:
        MilestoneTask.objects.filter(
            customer=event.customer, done_at__isnull=True, dropped=False
        ).exclude(assignee=event.owner).update(assignee=event.owner)
